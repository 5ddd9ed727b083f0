using Plotly.Blazor;
using PlotlyLayout = Plotly.Blazor.Layout;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using PocketNet.Portal.Components.Shared;
using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Components.Runs;

/// <summary>The run page's charts, from a job's curves: loss over global steps, and accuracy per pair set.</summary>
public static class RunFigures
{
    public static ChartFigure Loss(IReadOnlyList<LossPoint> points) => new(
        [LossTrace("loss", "", points)],
        Layout("Training loss", "loss", points.Count == 0 ? "no training step yet" : null));

    /// <summary>The learning rate of every recorded step: the schedule's steps (milestones) and warm-up as they ran.</summary>
    public static ChartFigure LearningRate(IReadOnlyList<LossPoint> points) => new(
        [LearningRateTrace("learning rate", "", points)],
        Layout("Learning rate", "learning rate (log scale)", points.Count == 0 ? "no training step yet" : null, logY: true));

    internal static ITrace LearningRateTrace(string name, string hoverTitle, IReadOnlyList<LossPoint> points)
    {
        var recorded = points.Where(p => double.IsFinite(p.LearningRate) && p.LearningRate > 0).ToList();
        return new Scatter
        {
            Mode = ModeFlag.Lines,
            Name = name,
            X = [.. recorded.Select(p => (object)p.Step)],
            Y = [.. recorded.Select(p => (object)p.LearningRate)],
            // A step schedule holds its rate until the next milestone.
            Line = new Line { Shape = Plotly.Blazor.Traces.ScatterLib.LineLib.ShapeEnum.Hv },
            HoverTemplate = $"{(hoverTitle.Length > 0 ? ChartStyle.Template(hoverTitle) + "<br>" : "")}step %{{x}}<br>learning rate %{{y:.3g}}<extra></extra>",
        };
    }

    /// <summary>One trace per pair set; <paramref name="synthetic"/> says which names to label synthetic.</summary>
    public static ChartFigure Accuracy(IReadOnlyList<AccuracyPoint> points, Func<string, bool> synthetic) => new(
        [.. points.GroupBy(p => p.Benchmark).Select(g => AccuracyTrace(synthetic(g.Key) ? $"{g.Key} (synthetic)" : g.Key, g.Key, g.ToList()))],
        Layout("Accuracy during training", "accuracy (%)",
            points.Count == 0 ? "no check yet (pair sets are checked after each epoch when chosen)" : null));

    internal static ITrace LossTrace(string name, string hoverTitle, IReadOnlyList<LossPoint> points) => new Scatter
    {
        Mode = ModeFlag.Lines,
        Name = name,
        X = [.. points.Select(p => (object)p.Step)],
        Y = [.. points.Select(p => (object)p.Loss)],
        HoverTemplate = $"{(hoverTitle.Length > 0 ? ChartStyle.Template(hoverTitle) + "<br>" : "")}step %{{x}}<br>loss %{{y:.4f}}<extra></extra>",
    };

    internal static ITrace AccuracyTrace(string name, string hoverTitle, IReadOnlyList<AccuracyPoint> points) => new Scatter
    {
        Mode = ModeFlag.Lines | ModeFlag.Markers,
        Name = name,
        X = [.. points.Select(p => (object)p.Step)],
        Y = [.. points.Select(p => (object)(p.Accuracy * 100))],
        HoverTemplate = $"{ChartStyle.Template(hoverTitle)}<br>step %{{x}}<br>accuracy %{{y:.2f}} %<extra></extra>",
    };

    /// <summary>A curve chart's layout over global steps; <paramref name="emptyNote"/> is shown across an empty chart.</summary>
    internal static PlotlyLayout Layout(string title, string yTitle, string? emptyNote, bool logY = false) => new()
    {
        // Left-aligned, so the title stays clear of plotly's toolbar on the right.
        Title = new Title { Text = title, X = 0.02m, XAnchor = Plotly.Blazor.LayoutLib.TitleLib.XAnchorEnum.Left },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = "global step" }, RangeMode = Plotly.Blazor.LayoutLib.XAxisLib.RangeModeEnum.ToZero }],
        YAxis = [ChartStyle.YAxis(yTitle, log: logY)],
        Margin = ChartStyle.Margin(60, 20, 40, 90),
        Legend = [ChartStyle.LegendBelow(-0.3m)],
        Annotations = ChartStyle.EmptyNote(emptyNote),
    };
}
