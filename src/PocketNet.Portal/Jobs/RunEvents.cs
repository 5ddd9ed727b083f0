using PocketNet.Training.Progress;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// A job's curves and log as /api/runs/N/events answers: the fields of <see cref="LiveSnapshot"/>, plus
/// <see cref="Next"/>, the cursor in the run's events.jsonl to pass as ?after= to get only what came since, and
/// <see cref="Latest"/>, the latest progress event of any kind (a step, a check, an evaluation).
/// </summary>
public sealed record RunEventsView(
    int JobId,
    StepProgress? LastStep,
    IReadOnlyList<LossPoint> Loss,
    IReadOnlyList<AccuracyPoint> Accuracy,
    IReadOnlyList<LogLine> Log,
    string? Genotype,
    long Next,
    ProgressEvent? Latest = null)
{
    public static RunEventsView Of(int jobId, RunCurves curves, long next) =>
        new(jobId, curves.LastStep, curves.Loss.ToList(), curves.Accuracy.ToList(), curves.Log.ToList(), curves.Genotype, next, curves.Latest);

    public static RunEventsView Of(LiveSnapshot live, long next) =>
        new(live.JobId, live.LastStep, live.Loss, live.Accuracy, live.Log, live.Genotype, next, live.Latest);
}

/// <summary>
/// Serves a run's events without reading its events.jsonl again for every request. The whole view of a run
/// (curves, log tail) is kept for the most recently asked runs and brought up to date by reading only the bytes
/// appended since; ?after=CURSOR reads only from the cursor, at most <see cref="MaxIncrementBytes"/> per answer.
/// </summary>
public sealed class RunEvents
{
    public const long MaxIncrementBytes = 4 * 1024 * 1024;
    private const int MaxCachedRuns = 64;

    private readonly Dictionary<string, CachedRun> _runs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _uses;

    private sealed class CachedRun
    {
        public readonly Lock Gate = new();
        public RunCurves Curves = new();
        public long Next;
        public string Fingerprint = "";
        public long LastUse;
    }

    /// <summary>Everything the run recorded, folded; read incrementally from the cached position.</summary>
    public RunEventsView All(int jobId, string eventsPath)
    {
        CachedRun run = Cached(eventsPath);
        lock (run.Gate)
        {
            string fingerprint = EventsFile.Fingerprint(eventsPath);
            long length = File.Exists(eventsPath) ? new FileInfo(eventsPath).Length : 0;
            if (fingerprint != run.Fingerprint || length < run.Next)
            {
                run.Curves = new RunCurves();
                run.Next = 0;
                run.Fingerprint = fingerprint;
            }
            if (length > run.Next)
            {
                (List<TrainingEvent> events, long next) = EventsFile.ReadFrom(eventsPath, run.Next);
                foreach (TrainingEvent e in events) run.Curves.Add(e);
                run.Next = next;
            }
            return RunEventsView.Of(jobId, run.Curves, run.Next);
        }
    }

    /// <summary>Only what was recorded after <paramref name="after"/> (a cursor an earlier answer gave).</summary>
    public static RunEventsView Since(int jobId, string eventsPath, long after)
    {
        if (after < 0) throw new ArgumentException($"after: {after} is negative");
        (List<TrainingEvent> events, long next) = EventsFile.ReadFrom(eventsPath, after, MaxIncrementBytes);
        return RunEventsView.Of(jobId, RunCurves.FromEvents(events), next);
    }

    /// <summary>
    /// The end of events.jsonl's whole lines now: the cursor for a live snapshot taken just after (events recorded
    /// in between come again after it, rather than never).
    /// </summary>
    public static long Cursor(string eventsPath) => EventsFile.EndOfWholeLines(eventsPath);

    private CachedRun Cached(string path)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(path, out CachedRun? run))
            {
                if (_runs.Count >= MaxCachedRuns) _runs.Remove(_runs.MinBy(r => r.Value.LastUse).Key);
                _runs[path] = run = new CachedRun();
            }
            run.LastUse = ++_uses;
            return run;
        }
    }
}
