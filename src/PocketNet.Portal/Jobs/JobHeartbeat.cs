using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// A running job's heartbeat: every <see cref="JobEngineOptions.JobHeartbeat"/> it writes the reporter's progress
/// with the time (the worker's hold on the job) and reads the cancel flag. A write that fails is logged and tried
/// again at the next beat, so a locked or full store never ends the process; only when the job's records have
/// gone unwritten past <see cref="JobEngineOptions.StoreFaultLimit"/> is the job stopped, failed with the reason.
/// </summary>
public sealed class JobHeartbeat(IDbContextFactory<PortalDbContext> store, WorkerIdentity worker, JobEngineOptions options, ILogger log)
{
    public async Task RunAsync(int jobId, JobReporter reporter, JobStop stop, CancellationTokenSource cancel, CancellationToken end)
    {
        string me = worker.Name;
        DateTime lastWritten = DateTime.UtcNow;
        int failures = 0;
        while (!end.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.JobHeartbeat, end);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                DateTime now = DateTime.UtcNow;
                string? phase = reporter.Phase;
                string? latest = JobReporter.Serialize(reporter.Latest);
                await using PortalDbContext db = await store.CreateDbContextAsync(end);
                int held = await db.Jobs.Where(j => j.Id == jobId && j.Worker == me).ExecuteUpdateAsync(set => set
                    .SetProperty(j => j.HeartbeatAt, now)
                    .SetProperty(j => j.Progress, reporter.Progress)
                    .SetProperty(j => j.Loss, reporter.Loss)
                    .SetProperty(j => j.ImagesPerSecond, reporter.ImagesPerSecond)
                    .SetProperty(j => j.RemainingSeconds, reporter.RemainingSeconds)
                    .SetProperty(j => j.RunSeconds, reporter.RunSeconds)
                    .SetProperty(j => j.ProgressJson, j => latest ?? j.ProgressJson)
                    .SetProperty(j => j.Phase, j => phase ?? j.Phase), end);
                if (held == 0)
                {
                    log.LogWarning("job {Job}: the store no longer names {Worker} as its worker (deleted or taken over); stopping it", jobId, me);
                    stop.Lost(cancel);
                    return;
                }
                if (failures > 0) log.LogInformation("job {Job}: progress written again after {Failures} failed heartbeats", jobId, failures);
                (lastWritten, failures) = (now, 0);
                if (await db.Jobs.Where(j => j.Id == jobId).Select(j => j.CancelRequested).FirstOrDefaultAsync(end))
                {
                    log.LogInformation("job {Job}: cancel requested; stopping after the current step", jobId);
                    stop.Cancelled(cancel);
                }
            }
            catch (OperationCanceledException) when (end.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                TimeSpan silent = DateTime.UtcNow - lastWritten;
                log.LogWarning(e, "job {Job}: could not write its progress to the store ({Failures} in a row, {Seconds:F0} s); retrying", jobId, failures, silent.TotalSeconds);
                if (silent > options.StoreFaultLimit)
                {
                    stop.StoreFault($"its progress could not be written to the store for {silent.TotalSeconds:F0} s: {e.Message}", cancel);
                    return;
                }
            }
        }
    }
}
