using PocketNet.Portal.Components.Shared;
using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Components.Runs;

/// <summary>The comparison page's charts: every run's curve on one chart, each run its own colour and name.</summary>
public static class ComparisonFigures
{
    public sealed record RunCurve(int JobId, string Title, IReadOnlyList<LossPoint> Loss, IReadOnlyList<AccuracyPoint> Accuracy);

    public static ChartFigure Loss(IReadOnlyList<RunCurve> runs) => new(
        [.. runs.Select(r => RunFigures.LossTrace(Label(r), Label(r), r.Loss))],
        RunFigures.Layout("Training loss", "loss", runs.All(r => r.Loss.Count == 0) ? "none of these runs has a training step" : null));

    public static ChartFigure LearningRate(IReadOnlyList<RunCurve> runs) => new(
        [.. runs.Select(r => RunFigures.LearningRateTrace(Label(r), Label(r), r.Loss))],
        RunFigures.Layout("Learning rate", "learning rate (log scale)", runs.All(r => r.Loss.Count == 0) ? "none of these runs has a training step" : null, logY: true));

    /// <summary>One trace per run and pair set; <paramref name="synthetic"/> says which pair sets to label synthetic.</summary>
    public static ChartFigure Accuracy(IReadOnlyList<RunCurve> runs, Func<string, bool> synthetic) => new(
        [.. runs.SelectMany(r => r.Accuracy.GroupBy(p => p.Benchmark).Select(g => RunFigures.AccuracyTrace(
            $"{Label(r)} · {g.Key}{(synthetic(g.Key) ? " (synthetic)" : "")}", $"{Label(r)} · {g.Key}", g.ToList())))],
        RunFigures.Layout("Accuracy during training", "accuracy (%)",
            runs.All(r => r.Accuracy.Count == 0) ? "none of these runs checked a pair set during training" : null));

    private static string Label(RunCurve run) => $"#{run.JobId} {run.Title}";
}
