using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// A job's progress as a page shows it. The store's row is refreshed only every couple of seconds, while pages
/// are asked to re-render on every pushed update; for a running job the runner's newest numbers are laid over it.
/// </summary>
public sealed record JobProgress(double Fraction, string? Phase, double? Loss, double? ImagesPerSecond, double? RemainingSeconds,
    PocketNet.Training.Progress.ProgressEvent? Latest = null, double RunSeconds = 0)
{
    public static JobProgress Of(JobRecord job) =>
        new(job.Progress, job.Phase, job.Loss, job.ImagesPerSecond, job.RemainingSeconds, JobReporter.Parse(job.ProgressJson), job.RunSeconds);

    /// <summary>The page has the job's row already: only this process's live numbers (when it runs the job) are laid over it, no second read.</summary>
    public static JobProgress Of(JobRecord job, RunningJobs running)
    {
        Live.JobUpdate live = running.Snapshot(job);
        return new JobProgress(live.Progress, live.Phase, live.Loss, live.ImagesPerSecond, live.RemainingSeconds, live.Latest, live.RunSeconds);
    }
}
