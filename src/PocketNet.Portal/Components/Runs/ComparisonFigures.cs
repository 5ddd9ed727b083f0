using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Components.Runs;

/// <summary>The comparison page's plotly figures: every run's curve on one chart, each run its own colour and name.</summary>
public static class ComparisonFigures
{
    public sealed record RunCurve(int JobId, string Title, IReadOnlyList<LossPoint> Loss, IReadOnlyList<AccuracyPoint> Accuracy);

    public static object Loss(IReadOnlyList<RunCurve> runs) => new
    {
        data = runs.Select(r => (object)new
        {
            type = "scatter", mode = "lines", name = Label(r),
            x = r.Loss.Select(p => p.Step).ToArray(),
            y = r.Loss.Select(p => p.Loss).ToArray(),
            hovertemplate = $"{Escape(Label(r))}<br>step %{{x}}<br>loss %{{y:.4f}}<extra></extra>",
        }).ToArray(),
        layout = RunFigures.Layout("Training loss", "loss", runs.All(r => r.Loss.Count == 0) ? "none of these runs has a training step" : null),
    };

    /// <summary>One trace per run and pair set; <paramref name="synthetic"/> says which pair sets to label synthetic.</summary>
    public static object Accuracy(IReadOnlyList<RunCurve> runs, Func<string, bool> synthetic) => new
    {
        data = runs.SelectMany(r => r.Accuracy.GroupBy(p => p.Benchmark).Select(g => (object)new
        {
            type = "scatter", mode = "lines+markers",
            name = $"{Label(r)} · {g.Key}{(synthetic(g.Key) ? " (synthetic)" : "")}",
            x = g.Select(p => p.Step).ToArray(),
            y = g.Select(p => p.Accuracy * 100).ToArray(),
            hovertemplate = $"{Escape(Label(r))} · {g.Key}<br>step %{{x}}<br>accuracy %{{y:.2f}} %<extra></extra>",
        })).ToArray(),
        layout = RunFigures.Layout("Accuracy during training", "accuracy (%)",
            runs.All(r => r.Accuracy.Count == 0) ? "none of these runs checked a pair set during training" : null),
    };

    private static string Label(RunCurve run) => $"#{run.JobId} {run.Title}";

    // Plotly reads hover templates as HTML-ish text with %{...} placeholders.
    private static string Escape(string text) => text.Replace("%", "%%").Replace("<", "&lt;");
}
