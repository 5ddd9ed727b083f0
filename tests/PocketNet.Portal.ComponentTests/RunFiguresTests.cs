using Plotly.Blazor.Traces;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.ComponentTests;

/// <summary>The run page's and the comparison's chart inputs, from curves with known values.</summary>
public sealed class RunFiguresTests
{
    [Fact]
    public void The_loss_chart_plots_each_step_and_says_so_when_there_is_none()
    {
        var loss = RunFigures.Loss([new LossPoint(10, 20.5), new LossPoint(20, 18.25)]);
        Scatter trace = Assert.IsType<Scatter>(Assert.Single(loss.Data));
        Assert.Equal([10L, 20L], trace.X);
        Assert.Equal([20.5, 18.25], trace.Y);
        Assert.Null(loss.Layout.Annotations);

        var empty = RunFigures.Loss([]);
        Assert.Equal("no training step yet", Assert.Single(empty.Layout.Annotations!).Text);
    }

    [Fact]
    public void The_learning_rate_chart_steps_at_each_milestone_on_a_log_axis_and_skips_steps_without_a_rate()
    {
        var figure = RunFigures.LearningRate([new LossPoint(1, 9, 0.1), new LossPoint(2, 8, 0.01), new LossPoint(3, 7)]);
        Scatter trace = Assert.IsType<Scatter>(Assert.Single(figure.Data));
        Assert.Equal([1L, 2L], trace.X);
        Assert.Equal([0.1, 0.01], trace.Y);
        Assert.Equal(Plotly.Blazor.Traces.ScatterLib.LineLib.ShapeEnum.Hv, trace.Line.Shape);
        Assert.Equal(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, figure.Layout.YAxis[0].Type);
    }

    [Fact]
    public void Accuracy_is_drawn_in_percent_one_trace_per_pair_set_with_synthetic_ones_labelled()
    {
        var figure = RunFigures.Accuracy(
            [new AccuracyPoint(5, "synth_lfw", 0.625), new AccuracyPoint(10, "synth_lfw", 0.75), new AccuracyPoint(10, "lfw", 0.9925)],
            name => name.StartsWith("synth_", StringComparison.Ordinal));
        var traces = figure.Data.Cast<Scatter>().ToList();
        Assert.Equal(["synth_lfw (synthetic)", "lfw"], traces.Select(t => t.Name));
        Assert.Equal([62.5, 75.0], traces[0].Y);
        Assert.Equal([99.25], traces[1].Y);
    }

    [Fact]
    public void The_comparison_names_every_run_and_escapes_titles_in_hover_text()
    {
        var runs = new[]
        {
            new ComparisonFigures.RunCurve(4, "lr 0.1", [new LossPoint(1, 3)], [new AccuracyPoint(1, "synth_lfw", 0.5)]),
            new ComparisonFigures.RunCurve(9, "<b>100%</b>", [new LossPoint(1, 2)], []),
        };
        var loss = ComparisonFigures.Loss(runs).Data.Cast<Scatter>().ToList();
        Assert.Equal(["#4 lr 0.1", "#9 <b>100%</b>"], loss.Select(t => t.Name));
        Assert.StartsWith("#9 &lt;b&gt;100%%&lt;/b&gt;<br>", loss[1].HoverTemplate);
        var accuracy = ComparisonFigures.Accuracy(runs, _ => true).Data.Cast<Scatter>();
        Assert.Equal("#4 lr 0.1 · synth_lfw (synthetic)", Assert.Single(accuracy).Name);
    }
}
