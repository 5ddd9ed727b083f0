namespace PocketNet.Portal.Live;

/// <summary>
/// A job's progress as pages see it: fraction 0..1, loss, images per second, seconds left, its latest progress event
/// (<see cref="Latest"/>: a training step, an accuracy check or an evaluation, with its own figures) and the seconds it
/// has run over all its attempts.
/// </summary>
public sealed record JobUpdate(int Id, string State, double Progress, string? Phase, double? Loss, double? ImagesPerSecond, double? RemainingSeconds,
    PocketNet.Training.Progress.ProgressEvent? Latest = null, double RunSeconds = 0);

/// <summary>
/// Job progress for the interactive pages of this process: <see cref="JobUpdatesBroadcaster"/> publishes, each live
/// component subscribes for as long as its circuit shows it. Handlers run on the publisher's thread and must hand
/// their work to their own renderer (ComponentBase.InvokeAsync) instead of doing it there.
/// </summary>
public sealed class JobUpdateFeed
{
    private readonly Lock _gate = new();
    private volatile Action<JobUpdate>[] _handlers = [];

    public IDisposable Subscribe(Action<JobUpdate> handler)
    {
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Subscription(this, handler);
    }

    public void Publish(JobUpdate update)
    {
        // The array is replaced, never changed: a publish reads it without the lock, so subscribers never block the jobs.
        foreach (Action<JobUpdate> handler in _handlers) handler(update);
    }

    private void Remove(Action<JobUpdate> handler)
    {
        lock (_gate) _handlers = [.. _handlers.Where(h => !ReferenceEquals(h, handler))];
    }

    private sealed class Subscription(JobUpdateFeed feed, Action<JobUpdate> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) feed.Remove(handler);
        }
    }
}
