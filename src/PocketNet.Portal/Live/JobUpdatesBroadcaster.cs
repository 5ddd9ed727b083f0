using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Live;

/// <summary>
/// Publishes job progress to the open pages of this process (<see cref="JobUpdateFeed"/>). Jobs this process runs report every event
/// through <see cref="LiveJobs"/>, sent at most every <see cref="Interval"/> per job; jobs on other hosts are seen
/// in the store, which their workers refresh every heartbeat: every <see cref="Interval"/> the rows of active jobs
/// are read and each one that changed is pushed. A store that cannot be read is logged and read again next time.
/// </summary>
public sealed class JobUpdatesBroadcaster(
    LiveJobs live,
    RunningJobs running,
    IDbContextFactory<PortalDbContext> store,
    JobUpdateFeed feed,
    IOptions<JobEngineOptions> engine,
    ILogger<JobUpdatesBroadcaster> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<int, byte> _pending = new();
    private readonly Dictionary<int, JobUpdate> _seen = [];

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!engine.Value.ServesPages) return;
        live.Changed += OnChanged;
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stopping)) await PushStoreChangesAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            live.Changed -= OnChanged;
        }
    }

    private async Task PushStoreChangesAsync(CancellationToken stopping)
    {
        List<JobUpdate> changed = [];
        try
        {
            await using PortalDbContext db = await store.CreateDbContextAsync(stopping);
            int[] known = [.. _seen.Keys];
            List<JobRecord> jobs = await db.Jobs.AsNoTracking()
                .Where(j => j.State == JobState.Running || j.State == JobState.Queued || known.Contains(j.Id))
                .ToListAsync(stopping);
            foreach (JobRecord job in jobs)
            {
                JobUpdate update = running.Snapshot(job);
                // The stored progress event is read afresh each time (a new object): its numbers are in the rest.
                if (!_seen.TryGetValue(job.Id, out JobUpdate? before) || before with { Latest = null } != update with { Latest = null }) changed.Add(update);
                if (job.State is JobState.Running or JobState.Queued) _seen[job.Id] = update;
                else _seen.Remove(job.Id);
            }
            foreach (int gone in known.Except(jobs.Select(j => j.Id))) _seen.Remove(gone);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            log.LogWarning(e, "could not read job progress from the store; trying again");
            return;
        }
        foreach (JobUpdate update in changed) Publish(update);
    }

    // Called on the job's thread: never block it; coalesce bursts into one message per interval.
    private void OnChanged(int jobId)
    {
        if (!_pending.TryAdd(jobId, 0)) return;
        _ = SendLaterAsync(jobId);
    }

    private async Task SendLaterAsync(int jobId)
    {
        try
        {
            await Task.Delay(Interval);
            _pending.TryRemove(jobId, out _);
            if (await running.SnapshotAsync(jobId) is { } update) Publish(update);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "could not push job {Job}", jobId);
        }
    }

    private void Publish(JobUpdate update)
    {
        try
        {
            feed.Publish(update);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "a page could not take the update of job {Job}", update.Id);
        }
    }
}
