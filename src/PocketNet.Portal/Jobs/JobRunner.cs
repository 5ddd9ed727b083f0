using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// Runs one job when the engine (Hangfire) hands it to a worker of this process. The engine decides where and when;
/// the store's row decides whether: the worker takes the job only while it is queued, or running under a worker
/// whose heartbeat has gone stale (a dead host), and holds it by writing its progress every heartbeat. That hold
/// is the job's lock across hosts: a job the engine hands out twice still runs once at a time. Each heartbeat
/// also reads the cancel flag, which is how a cancel sent to any host reaches the job. A taken-over job resumes
/// from its newest checkpoint.
/// </summary>
public sealed class JobRunner(
    IDbContextFactory<PortalDbContext> store,
    JobExecutor executor,
    LiveJobs live,
    RunningJobs running,
    WorkerIdentity worker,
    IOptions<JobEngineOptions> options,
    ILogger<JobRunner> log)
{
    private JobEngineOptions Timing => options.Value;

    /// <summary>The engine's entry point. <paramref name="engine"/> fires when this process stops.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("portal job {0}")]
    public async Task RunAsync(int jobId, CancellationToken engine)
    {
        JobRecord? job = await TakeAsync(jobId, engine);
        if (job is null) return;

        var reporter = new JobReporter(jobId, live);
        if (job.Attempts > 1) reporter.Continue(job.Progress, job.RunSeconds);
        var stop = new JobStop();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(engine);
        using var heartbeatEnd = new CancellationTokenSource();
        running.Add(jobId, reporter);
        live.Start(jobId, job.RunFolder is null ? null : Path.Combine(job.RunFolder, Training.Runs.RunDirectory.EventsFile));
        Task heartbeat = new JobHeartbeat(store, worker, Timing, log).RunAsync(jobId, reporter, stop, cancel, heartbeatEnd.Token);
        JobState state;
        string? error = null;
        try
        {
            if (job.CancelRequested) stop.Cancelled(cancel);
            cancel.Token.ThrowIfCancellationRequested();
            log.LogInformation("job {Job} ({Kind}) started on {Device} by {Worker}", jobId, job.Kind, job.Device, worker);
            // Training holds its thread for hours: a thread of its own, not one of the pool's.
            await Task.Factory.StartNew(() => executor.Execute(job, reporter, cancel.Token), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            state = JobState.Succeeded;
        }
        catch (OperationCanceledException)
        {
            (state, error) = stop.Outcome(engine.IsCancellationRequested);
        }
        catch (Exception e)
        {
            // One job's failure (bad data, a corrupt checkpoint, a full disk, out of memory) ends that job only.
            log.LogError(e, "job {Job} failed", jobId);
            state = JobState.Failed;
            error = e.Message;
        }
        finally
        {
            await heartbeatEnd.CancelAsync();
            await heartbeat;
        }

        try
        {
            if (stop.Reason != JobStopReason.Lost) await FinishAsync(jobId, reporter, state, error, engine);
        }
        finally
        {
            // Only now: until its end is in the store, the store's row is the last heartbeat's, behind the reporter.
            running.Remove(jobId);
            live.Finish(jobId);
        }
        // Stopped with the process: the engine gives the job back to its queue only when it sees the cancellation.
        if (state == JobState.Queued) engine.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Takes the job in the store; null when there is nothing to run (cancelled, deleted or finished meanwhile).
    /// While another worker holds it with a fresh heartbeat, waits for that worker to finish or to fall silent.
    /// </summary>
    private async Task<JobRecord?> TakeAsync(int jobId, CancellationToken engine)
    {
        string me = worker.Name;
        bool waited = false;
        while (true)
        {
            DateTime now = DateTime.UtcNow;
            DateTime stale = now - Timing.JobLease;
            await using PortalDbContext db = await store.CreateDbContextAsync(engine);
            // One statement: a cancel (Queued -> Cancelled) and a take never both win.
            int taken = await db.Jobs
                .Where(j => j.Id == jobId && (j.State == JobState.Queued
                    || (j.State == JobState.Running && (j.Worker == null || j.Worker == me || j.HeartbeatAt == null || j.HeartbeatAt < stale))))
                .ExecuteUpdateAsync(set => set
                    .SetProperty(j => j.Resume, j => j.Resume || j.State == JobState.Running)
                    .SetProperty(j => j.Phase, j => j.Resume || j.State == JobState.Running ? "resuming from the newest checkpoint" : "starting")
                    .SetProperty(j => j.State, JobState.Running)
                    .SetProperty(j => j.Worker, me)
                    .SetProperty(j => j.HeartbeatAt, now)
                    .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now) // "started": the first attempt
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1), engine);
            JobRecord? job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, engine);
            if (taken == 1 && job is not null)
            {
                if (job.Attempts > 1) log.LogWarning("job {Job}: attempt {Attempt} on {Worker}, resuming from the newest checkpoint", jobId, job.Attempts, me);
                return job;
            }
            if (job is not { State: JobState.Running })
            {
                log.LogInformation("job {Job} is {State}: nothing to run", jobId, job?.State.ToString() ?? "deleted");
                return null;
            }
            if (!waited) log.LogWarning("job {Job} is held by {Worker} (heartbeat {At:o}); waiting for it to finish or fall silent", jobId, job.Worker, job.HeartbeatAt);
            waited = true;
            await Task.Delay(Timing.JobHeartbeat, engine);
        }
    }

    /// <summary>
    /// Records how the job ended, retrying while the store refuses (a locked or full database): the end of a job is
    /// never dropped while this process lives. A process that stops meanwhile leaves the job running in the store,
    /// where its stale heartbeat lets the engine's next delivery take it over.
    /// </summary>
    private async Task FinishAsync(int jobId, JobReporter reporter, JobState state, string? error, CancellationToken engine)
    {
        string me = worker.Name;
        bool requeue = state == JobState.Queued;
        string phase = state switch
        {
            JobState.Succeeded => "done",
            JobState.Cancelled => "cancelled; resume continues from the newest checkpoint",
            JobState.Queued => "interrupted by a portal stop; resumes at the next start",
            _ => "failed",
        };
        DateTime? finished = requeue ? null : DateTime.UtcNow;
        // A stopped job shows where its resume continues from (its newest checkpoint), not the steps it will redo.
        double progress = state == JobState.Succeeded ? 1 : reporter.ResumesFrom;
        double runSeconds = reporter.RunSeconds;
        string? latest = JobReporter.Serialize(reporter.Latest);
        int failures = 0;
        while (true)
        {
            try
            {
                await using PortalDbContext db = await store.CreateDbContextAsync();
                await db.Jobs.Where(j => j.Id == jobId && j.Worker == me).ExecuteUpdateAsync(set => set
                    .SetProperty(j => j.State, state)
                    .SetProperty(j => j.Error, error)
                    .SetProperty(j => j.Resume, requeue)
                    .SetProperty(j => j.FinishedAt, finished)
                    .SetProperty(j => j.Phase, phase)
                    .SetProperty(j => j.Progress, progress)
                    .SetProperty(j => j.Loss, reporter.Loss)
                    .SetProperty(j => j.ImagesPerSecond, reporter.ImagesPerSecond)
                    .SetProperty(j => j.RemainingSeconds, (double?)null) // nothing is left to a job that no longer runs
                    .SetProperty(j => j.RunSeconds, runSeconds)
                    .SetProperty(j => j.ProgressJson, j => latest ?? j.ProgressJson)
                    .SetProperty(j => j.CancelRequested, false)
                    // A job given back to its queue is free for the next worker at once.
                    .SetProperty(j => j.Worker, j => requeue ? null : j.Worker));
                log.LogInformation("job {Job} {State}{Error}", jobId, state, error is null ? "" : $": {error}");
                return;
            }
            catch (Exception e) when (engine.IsCancellationRequested)
            {
                // Stopping: the engine gives the job back to its queue when it sees a cancellation, not a failure.
                throw new OperationCanceledException($"job {jobId}: could not record its end before the process stopped", e, engine);
            }
            catch (Exception e)
            {
                failures++;
                log.LogWarning(e, "job {Job}: could not record its end ({State}, {Failures} tries); retrying", jobId, state, failures);
                await Task.Delay(Timing.JobHeartbeat, CancellationToken.None);
            }
        }
    }
}
