using PocketNet.Training.Progress;

namespace PocketNet.Portal.Jobs;

/// <summary>A copy of a job's live state, safe to render while the job goes on. <see cref="Latest"/>: its latest progress event of any kind.</summary>
public sealed record LiveSnapshot(
    int JobId,
    StepProgress? LastStep,
    IReadOnlyList<LossPoint> Loss,
    IReadOnlyList<AccuracyPoint> Accuracy,
    IReadOnlyList<LogLine> Log,
    string? Genotype,
    ProgressEvent? Latest = null);

/// <summary>
/// Live progress of running jobs, in memory. The runner reports every event here; open pages subscribe to
/// <see cref="Changed"/> and re-render through their Blazor circuit, which is how progress reaches the browser.
/// The run folder's events.jsonl stays the record of history: <see cref="Start"/> seeds a resumed job from it.
/// </summary>
public sealed class LiveJobs
{
    private readonly Dictionary<int, RunCurves> _jobs = [];
    private readonly Lock _gate = new();

    /// <summary>Raised (on the job's thread) with the job id after each event; handlers must not block.</summary>
    public event Action<int>? Changed;

    public void Start(int jobId, string? eventsPath)
    {
        RunCurves curves = eventsPath is not null && File.Exists(eventsPath) ? RunCurves.FromEvents(ReadEvents(eventsPath)) : new RunCurves();
        lock (_gate) _jobs[jobId] = curves;
        Changed?.Invoke(jobId);
    }

    public void Report(int jobId, TrainingEvent e)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out RunCurves? curves)) _jobs[jobId] = curves = new RunCurves();
            curves.Add(e);
        }
        Changed?.Invoke(jobId);
    }

    /// <summary>Forgets a finished job (its page reads events.jsonl from then on) and tells subscribers.</summary>
    public void Finish(int jobId)
    {
        lock (_gate) _jobs.Remove(jobId);
        Changed?.Invoke(jobId);
    }

    public LiveSnapshot? Get(int jobId)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue(jobId, out RunCurves? c)
                ? new LiveSnapshot(jobId, c.LastStep, c.Loss.ToList(), c.Accuracy.ToList(), c.Log.ToList(), c.Genotype, c.Latest)
                : null;
        }
    }

    // A damaged events.jsonl must not break the run page: show no curves rather than an error.
    private static IReadOnlyList<TrainingEvent> ReadEvents(string path)
    {
        try
        {
            return EventLog.Read(path);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }
}
