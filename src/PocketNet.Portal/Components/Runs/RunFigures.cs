using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Components.Runs;

/// <summary>The run page's plotly figures, from a job's curves: loss over global steps, and accuracy per pair set.</summary>
public static class RunFigures
{
    public static object Loss(IReadOnlyList<LossPoint> points) => new
    {
        data = new object[]
        {
            new
            {
                type = "scatter", mode = "lines", name = "loss",
                x = points.Select(p => p.Step).ToArray(),
                y = points.Select(p => p.Loss).ToArray(),
                hovertemplate = "step %{x}<br>loss %{y:.4f}<extra></extra>",
            },
        },
        layout = Layout("Training loss", "loss", points.Count == 0 ? "no training step yet" : null),
    };

    /// <summary>One trace per pair set; <paramref name="synthetic"/> says which names to label synthetic.</summary>
    public static object Accuracy(IReadOnlyList<AccuracyPoint> points, Func<string, bool> synthetic) => new
    {
        data = points.GroupBy(p => p.Benchmark).Select(g => (object)new
        {
            type = "scatter", mode = "lines+markers", name = synthetic(g.Key) ? $"{g.Key} (synthetic)" : g.Key,
            x = g.Select(p => p.Step).ToArray(),
            y = g.Select(p => p.Accuracy * 100).ToArray(),
            hovertemplate = $"{g.Key}<br>step %{{x}}<br>accuracy %{{y:.2f}} %<extra></extra>",
        }).ToArray(),
        layout = Layout("Accuracy during training", "accuracy (%)",
            points.Count == 0 ? "no check yet (pair sets are checked after each epoch when chosen)" : null),
    };

    /// <summary>A curve chart's layout over global steps; <paramref name="emptyNote"/> is shown across an empty chart.</summary>
    internal static object Layout(string title, string yTitle, string? emptyNote) => new
    {
        // Left-aligned, so the title stays clear of plotly's toolbar on the right.
        title = new { text = title, x = 0.02, xanchor = "left" },
        xaxis = new { title = new { text = "global step" }, rangemode = "tozero" },
        yaxis = new { title = new { text = yTitle } },
        margin = new { l = 60, r = 20, t = 40, b = 90 },
        legend = new { orientation = "h", y = -0.3 },
        annotations = emptyNote is null ? null : new object[]
        {
            new { text = emptyNote, showarrow = false, xref = "paper", yref = "paper", x = 0.5, y = 0.5 },
        },
    };
}
