using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Live;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// The jobs this process is running, with their reporters. The store's row of a running job is refreshed only at
/// each heartbeat; a page served by the process that runs the job lays the reporter's newest numbers over it.
/// Jobs running on other hosts are seen through the store alone.
/// </summary>
public sealed class RunningJobs(IDbContextFactory<PortalDbContext> store)
{
    private readonly ConcurrentDictionary<int, JobReporter> _reporters = new();

    public void Add(int jobId, JobReporter reporter) => _reporters[jobId] = reporter;

    public void Remove(int jobId) => _reporters.TryRemove(jobId, out _);

    /// <summary>A job's state from the store, with the newest progress laid over it when it runs here; null when there is no such job.</summary>
    public async Task<JobUpdate?> SnapshotAsync(int jobId)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync();
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId) is { } job ? Snapshot(job) : null;
    }

    /// <summary><paramref name="job"/> as read from the store, with its newest progress laid over it while it runs in this process.</summary>
    public JobUpdate Snapshot(JobRecord job)
    {
        if (job.State == JobState.Running && _reporters.TryGetValue(job.Id, out JobReporter? r))
            return new JobUpdate(job.Id, job.State.ToString(), r.Progress, r.Phase ?? job.Phase, r.Loss, r.ImagesPerSecond, r.RemainingSeconds,
                r.Latest ?? JobReporter.Parse(job.ProgressJson), r.RunSeconds);
        return new JobUpdate(job.Id, job.State.ToString(), job.Progress, job.Phase, job.Loss, job.ImagesPerSecond, job.RemainingSeconds,
            JobReporter.Parse(job.ProgressJson), job.RunSeconds);
    }
}
