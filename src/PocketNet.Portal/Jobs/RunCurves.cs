using PocketNet.Training.Progress;

namespace PocketNet.Portal.Jobs;

/// <summary>A point of a loss curve: total loss at a global step, with the learning rate that step ran at (NaN: not recorded).</summary>
public readonly record struct LossPoint(long Step, double Loss, double LearningRate = double.NaN);

/// <summary>A point of an accuracy curve: verification accuracy (fraction) on a pair set at a global step.</summary>
public readonly record struct AccuracyPoint(long Step, string Benchmark, double Accuracy);

/// <summary>A log line with its time.</summary>
public readonly record struct LogLine(DateTimeOffset Time, string Text);

/// <summary>
/// What the run page draws, folded from a run's events: loss and accuracy curves, the latest step and a bounded
/// log tail. Built from events.jsonl for a finished run and fed live while a job runs; not thread-safe on its own
/// (<see cref="LiveJobs"/> locks around it).
/// </summary>
public sealed class RunCurves
{
    public const int LogLines = 400;
    private const int MaxLossPoints = 5000;

    private readonly List<LossPoint> _loss = [];
    private readonly List<AccuracyPoint> _accuracy = [];
    private readonly Queue<LogLine> _log = new();

    public IReadOnlyList<LossPoint> Loss => _loss;
    public IReadOnlyList<AccuracyPoint> Accuracy => _accuracy;
    public IEnumerable<LogLine> Log => _log;
    public StepProgress? LastStep { get; private set; }

    /// <summary>The latest progress event of any kind: a step, an accuracy check, an evaluation.</summary>
    public ProgressEvent? Latest { get; private set; }
    public string? Genotype { get; private set; }

    public static RunCurves FromEvents(IEnumerable<TrainingEvent> events)
    {
        var curves = new RunCurves();
        foreach (TrainingEvent e in events) curves.Add(e);
        return curves;
    }

    public void Add(TrainingEvent e)
    {
        if (e is ProgressEvent progress) Latest = progress;
        switch (e)
        {
            case StepProgress step:
                LastStep = step;
                // Training reports "total" (and "ce"); a search reports its weight step's loss as "train".
                if (step.Losses.TryGetValue("total", out double total) || step.Losses.TryGetValue("ce", out total) || step.Losses.TryGetValue("train", out total))
                    AddLoss(new LossPoint(step.GlobalStep, total, step.LearningRate));
                break;
            case VerificationCheck check:
                _accuracy.Add(new AccuracyPoint(check.GlobalStep, check.Benchmark, check.Accuracy));
                AddLog(e.Time, $"{check.Benchmark}{(check.Synthetic ? " (synthetic)" : "")}: accuracy {check.Accuracy:P2} ± {check.Std:P2} at step {check.GlobalStep:N0}");
                break;
            case EpochCompleted epoch:
                AddLog(e.Time, $"epoch {epoch.Epoch} done at step {epoch.GlobalStep:N0}: " +
                               string.Join(", ", epoch.MeanLosses.Select(l => $"{l.Key} {l.Value:F4}")));
                break;
            case GenotypeDerived derived:
                Genotype = derived.Genotype;
                AddLog(e.Time, $"epoch {derived.Epoch}: genotype {derived.Genotype} (validation top-1 {derived.ValidationAccuracy:P2})");
                break;
            case RunMessage message:
                AddLog(e.Time, message.Text);
                break;
        }
    }

    public void AddLog(DateTimeOffset time, string text)
    {
        _log.Enqueue(new LogLine(time, text));
        while (_log.Count > LogLines) _log.Dequeue();
    }

    // A long run logs every step; halve the curve's resolution instead of growing without bound. Every other point
    // is kept counting from the newest, so the curve still ends at the latest step.
    private void AddLoss(LossPoint point)
    {
        // A resumed run repeats the steps after its newest checkpoint; the repeat replaces what the stopped attempt
        // logged for them, so the curve never runs backwards.
        int keep = _loss.Count;
        while (keep > 0 && _loss[keep - 1].Step >= point.Step) keep--;
        _loss.RemoveRange(keep, _loss.Count - keep);
        _loss.Add(point);
        if (_loss.Count <= MaxLossPoints) return;
        int kept = (_loss.Count + 1) / 2, skip = _loss.Count % 2 == 0 ? 1 : 0;
        for (int i = 0; i < kept; i++) _loss[i] = _loss[2 * i + skip];
        _loss.RemoveRange(kept, _loss.Count - kept);
    }
}
