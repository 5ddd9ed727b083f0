using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// The hosted job runner. It starts queued jobs oldest first, at most <see cref="PortalOptions.JobsPerDevice"/> at
/// a time per device, each on its own thread; writes their progress to the store every couple of seconds; and
/// marks them done, failed or cancelled. Jobs found running at start-up were interrupted by a stop or a crash:
/// they are queued again to resume from their newest checkpoint, as are the jobs running when the portal stops.
/// </summary>
public sealed class JobRunner(
    IDbContextFactory<PortalDbContext> store,
    JobExecutor executor,
    LiveJobs live,
    IOptions<PortalOptions> options,
    ILogger<JobRunner> log) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _wake = new(0);

    // Progress flushes and a job's final write must not interleave (a late flush would undo "done").
    private readonly SemaphoreSlim _storeGate = new(1, 1);
    private readonly ConcurrentDictionary<int, RunningJob> _running = new();

    // Cancels asked for a job the store already shows running but whose thread has not started yet (the moment
    // between its claim and Start); Start honours them.
    private readonly ConcurrentDictionary<int, byte> _cancelRequested = new();
    private volatile bool _stopping;

    private sealed record RunningJob(JobRecord Job, JobReporter Reporter, CancellationTokenSource Cancel, Task Work);

    /// <summary>Looks at the queue now instead of at the next tick.</summary>
    public void Wake() => _wake.Release();

    /// <summary>Asks a running job to stop, even one claimed but not started yet; its state becomes Cancelled when it has.</summary>
    public void Cancel(int jobId)
    {
        // Recorded first, looked up second (Start does the opposite), so a cancel racing a start is never lost.
        _cancelRequested[jobId] = 0;
        if (_running.TryGetValue(jobId, out RunningJob? job)) job.Cancel.Cancel();
    }

    public bool IsRunning(int jobId) => _running.ContainsKey(jobId);

    /// <summary>A job's state from the store, with a running job's newest progress laid over it; null when there is no such job.</summary>
    public async Task<Live.JobUpdate?> SnapshotAsync(int jobId)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync();
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId) is { } job ? Snapshot(job) : null;
    }

    /// <summary>
    /// <paramref name="job"/> as read from the store, with its newest progress laid over it while it runs: the store's
    /// row is refreshed only every couple of seconds.
    /// </summary>
    public Live.JobUpdate Snapshot(JobRecord job)
    {
        if (job.State == JobState.Running && _running.TryGetValue(job.Id, out RunningJob? running))
        {
            JobReporter r = running.Reporter;
            return new Live.JobUpdate(job.Id, job.State.ToString(), r.Progress, r.Phase ?? job.Phase, r.Loss, r.ImagesPerSecond, r.RemainingSeconds);
        }
        return new Live.JobUpdate(job.Id, job.State.ToString(), job.Progress, job.Phase, job.Loss, job.ImagesPerSecond, job.RemainingSeconds);
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        await RequeueInterruptedAsync(stopping);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await FlushProgressAsync(stopping);
                await StartQueuedAsync(stopping);
                await _wake.WaitAsync(Tick, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        foreach (RunningJob job in _running.Values) job.Cancel.Cancel();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_running.Values.Select(j => j.Work)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RequeueInterruptedAsync(CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<JobRecord> interrupted = await db.Jobs.Where(j => j.State == JobState.Running).ToListAsync(cancellation);
        foreach (JobRecord job in interrupted)
        {
            job.State = JobState.Queued;
            job.Resume = true;
            job.Phase = "interrupted by a portal restart; queued to resume from the newest checkpoint";
            log.LogWarning("job {Job} was interrupted; it resumes from its newest checkpoint", job.Id);
        }
        await db.SaveChangesAsync(cancellation);
    }

    private async Task StartQueuedAsync(CancellationToken cancellation)
    {
        if (_stopping) return;
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<JobRecord> queued = await db.Jobs.Where(j => j.State == JobState.Queued).OrderBy(j => j.Id).ToListAsync(cancellation);
        int perDevice = Math.Max(1, options.Value.JobsPerDevice);
        foreach (JobRecord job in queued)
        {
            if (_running.Values.Count(r => r.Job.Device == job.Device) >= perDevice) continue;
            _cancelRequested.TryRemove(job.Id, out _);
            // The list above may be stale: a job cancelled since is not taken. Only a job still queued in the store is
            // claimed, in one statement, so a cancel and a claim never both win.
            DateTime started = DateTime.UtcNow;
            string phase = job.Resume ? "resuming" : "starting";
            int claimed = await db.Jobs.Where(j => j.Id == job.Id && j.State == JobState.Queued).ExecuteUpdateAsync(set => set
                .SetProperty(j => j.State, JobState.Running)
                .SetProperty(j => j.StartedAt, started)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                .SetProperty(j => j.Phase, phase), cancellation);
            if (claimed == 0) continue;
            (job.State, job.StartedAt, job.Attempts, job.Phase) = (JobState.Running, started, job.Attempts + 1, phase);
            Start(job);
        }
    }

    private void Start(JobRecord job)
    {
        var reporter = new JobReporter(job.Id, live);
        var cancel = new CancellationTokenSource();
        live.Start(job.Id, job.RunFolder is null ? null : Path.Combine(job.RunFolder, Training.Runs.RunDirectory.EventsFile));
        // Training holds a thread for hours: a dedicated thread, not one of the pool's. The job is listed as
        // running before its thread starts, so a job that fails at once is still removed by Finish.
        var work = new Task(() => Run(job, reporter, cancel.Token), CancellationToken.None, TaskCreationOptions.LongRunning);
        _running[job.Id] = new RunningJob(job, reporter, cancel, work);
        if (_cancelRequested.TryRemove(job.Id, out _)) cancel.Cancel();
        work.Start(TaskScheduler.Default);
    }

    private void Run(JobRecord job, JobReporter reporter, CancellationToken cancellation)
    {
        JobState state;
        string? error = null;
        try
        {
            cancellation.ThrowIfCancellationRequested();
            log.LogInformation("job {Job} ({Kind}) started on {Device}", job.Id, job.Kind, job.Device);
            executor.Execute(job, reporter, cancellation);
            state = JobState.Succeeded;
        }
        catch (OperationCanceledException)
        {
            state = _stopping ? JobState.Queued : JobState.Cancelled;
        }
        catch (Exception e)
        {
            // One job's failure (bad data, a corrupt checkpoint, out of memory) ends that job only.
            log.LogError(e, "job {Job} failed", job.Id);
            state = JobState.Failed;
            error = e.Message;
        }
        Finish(job.Id, reporter, state, error);
    }

    private void Finish(int jobId, JobReporter reporter, JobState state, string? error)
    {
        _storeGate.Wait();
        try
        {
            using PortalDbContext db = store.CreateDbContext();
            JobRecord job = db.Jobs.Find(jobId)!;
            Copy(reporter, job);
            job.State = state;
            job.Error = error;
            job.Resume = state == JobState.Queued;
            job.FinishedAt = state == JobState.Queued ? null : DateTime.UtcNow;
            job.Phase = state switch
            {
                JobState.Succeeded => "done",
                JobState.Cancelled => "cancelled; resume continues from the newest checkpoint",
                JobState.Queued => "interrupted by a portal stop; resumes at the next start",
                _ => "failed",
            };
            if (state == JobState.Succeeded) job.Progress = 1;
            db.SaveChanges();
        }
        catch (Exception e)
        {
            log.LogError(e, "job {Job}: could not record its end ({State})", jobId, state);
        }
        finally
        {
            _storeGate.Release();
            _running.TryRemove(jobId, out RunningJob? running);
            _cancelRequested.TryRemove(jobId, out _);
            running?.Cancel.Dispose();
            live.Finish(jobId);
            Wake();
        }
    }

    private async Task FlushProgressAsync(CancellationToken cancellation)
    {
        var changed = _running.Values.Where(r => r.Reporter.TakeChanged()).ToList();
        if (changed.Count == 0) return;
        await _storeGate.WaitAsync(cancellation);
        try
        {
            await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
            foreach (RunningJob running in changed)
            {
                if (_running.ContainsKey(running.Job.Id) && await db.Jobs.FindAsync([running.Job.Id], cancellation) is { State: JobState.Running } job)
                    Copy(running.Reporter, job);
            }
            await db.SaveChangesAsync(cancellation);
        }
        finally
        {
            _storeGate.Release();
        }
    }

    private static void Copy(JobReporter reporter, JobRecord job)
    {
        job.Progress = reporter.Progress;
        job.Loss = reporter.Loss;
        job.ImagesPerSecond = reporter.ImagesPerSecond;
        job.RemainingSeconds = reporter.RemainingSeconds;
        if (reporter.Phase is not null) job.Phase = reporter.Phase;
    }
}
