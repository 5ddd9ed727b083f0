using PocketNet.Portal.Store;

namespace PocketNet.Portal.Jobs;

public enum JobStopReason
{
    None,

    /// <summary>A cancel reached the job through the store.</summary>
    Cancelled,

    /// <summary>The job's records could not be written for longer than the fault limit.</summary>
    StoreFault,

    /// <summary>The store no longer names this worker as the job's holder (deleted, or taken over after a silence).</summary>
    Lost,
}

/// <summary>Why a running job's cancellation token fired: set once, before the token is cancelled, by whoever stops it.</summary>
public sealed class JobStop
{
    private volatile string? _message;
    private int _reason;

    public JobStopReason Reason => (JobStopReason)Volatile.Read(ref _reason);

    public void Cancelled(CancellationTokenSource cancel) => Stop(JobStopReason.Cancelled, null, cancel);

    public void StoreFault(string message, CancellationTokenSource cancel) => Stop(JobStopReason.StoreFault, message, cancel);

    public void Lost(CancellationTokenSource cancel) => Stop(JobStopReason.Lost, null, cancel);

    /// <summary>The state and error a job stopped by its token ends in; <paramref name="processStopping"/>: the engine stopped it.</summary>
    public (JobState State, string? Error) Outcome(bool processStopping) => Reason switch
    {
        JobStopReason.Cancelled => (JobState.Cancelled, null),
        JobStopReason.StoreFault => (JobState.Failed, _message),
        JobStopReason.Lost => (JobState.Failed, "another worker holds the job"),
        _ when processStopping => (JobState.Queued, null),
        _ => (JobState.Cancelled, null),
    };

    private void Stop(JobStopReason reason, string? message, CancellationTokenSource cancel)
    {
        _message = message;
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)JobStopReason.None) == (int)JobStopReason.None)
            cancel.Cancel();
    }
}
