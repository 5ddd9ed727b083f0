namespace PocketNet.Portal.Store;

/// <summary>Where a job is in its life. Only <see cref="Queued"/> jobs are picked up by the runner.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class JobStates
{
    /// <summary>True when the job will not change any more unless someone resumes it.</summary>
    public static bool IsFinished(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
