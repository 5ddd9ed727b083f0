using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Plotly.Blazor;
using Plotly.Blazor.Interop;
using Plotly.Blazor.Traces;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Components.Shared;
using PocketNet.Portal.Jobs;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace PocketNet.Portal.ComponentTests;

/// <summary>The chart component: its frame, what it hands plotly, redrawing a new figure, and a click on a model's point.</summary>
public sealed class ChartTests : BunitContext
{
    public ChartTests() => JSInterop.Mode = JSRuntimeMode.Loose;

    private static ChartFigure TwoModels() => new(
        [new Scatter { Name = "trained here", X = [0.99, 1.68], Y = [98.5, 99.1] }],
        new PlotlyLayout(),
        [["models/3", "models/7"]]);

    [Fact]
    public void The_frame_names_the_chart_and_says_what_it_holds_before_plotly_draws()
    {
        IRenderedComponent<Chart> chart = Render<Chart>(p => p
            .Add(c => c.Id, "tradeoff-chart").Add(c => c.Figure, TwoModels()).Add(c => c.Label, "LFW accuracy against parameters").Add(c => c.Height, 520));

        var frame = chart.Find("#tradeoff-chart");
        Assert.Equal("group", frame.GetAttribute("role")); // plotly puts buttons inside: not an image
        Assert.Equal("LFW accuracy against parameters", frame.GetAttribute("aria-label"));
        Assert.Equal("1", frame.GetAttribute("data-traces"));
        Assert.Equal("2", frame.GetAttribute("data-points"));
        Assert.Contains("min-height: 520px", frame.GetAttribute("style"));
        Assert.NotNull(chart.Find("#tradeoff-chart-plot"));
    }

    [Fact]
    public void Plotly_gets_the_figures_points_and_the_basic_bundle()
    {
        Render<Chart>(p => p.Add(c => c.Id, "c").Add(c => c.Figure, TwoModels()).Add(c => c.Label, "x"));

        // Plotly.Blazor loads plotly's basic bundle (scatter and lines, a quarter of the full one) and draws the figure.
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "importScript" && i.Arguments.Any(a => a?.ToString()?.Contains("plotly-basic") == true));
        JSRuntimeInvocation draw = Assert.Single(JSInterop.Invocations, i => i.Identifier == "newPlot");
        Assert.Equal("c-plot", draw.Arguments[0]);
        string data = System.Text.Json.JsonSerializer.Serialize(draw.Arguments[1]);
        Assert.Contains("1.68", data);
        Assert.Contains("99.1", data);
    }

    [Fact]
    public void A_new_figure_is_redrawn_with_react_and_the_same_one_is_not()
    {
        ChartFigure first = TwoModels();
        IRenderedComponent<Chart> chart = Render<Chart>(p => p.Add(c => c.Id, "c").Add(c => c.Figure, first).Add(c => c.Label, "x"));
        chart.Render(p => p.Add(c => c.Figure, first));
        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "react");

        chart.Render(p => p.Add(c => c.Figure, RunFigures.Loss([new LossPoint(1, 12.5), new LossPoint(2, 11.0)])));
        JSRuntimeInvocation redraw = Assert.Single(JSInterop.Invocations, i => i.Identifier == "react");
        Assert.Contains("11", System.Text.Json.JsonSerializer.Serialize(redraw.Arguments[1]));
    }

    [Fact]
    public async Task A_click_on_a_models_point_opens_its_page_and_elsewhere_does_nothing()
    {
        IRenderedComponent<Chart> chart = Render<Chart>(p => p.Add(c => c.Id, "c").Add(c => c.Figure, TwoModels()).Add(c => c.Label, "x"));
        var navigation = Services.GetRequiredService<NavigationManager>();
        PlotlyChart plotly = chart.FindComponent<PlotlyChart>().Instance;

        await chart.InvokeAsync(() => plotly.ClickEvent([new EventDataPoint { TraceIndex = 0, PointNumber = 5 }]));
        Assert.Equal(navigation.BaseUri, navigation.Uri);

        await chart.InvokeAsync(() => plotly.ClickEvent([new EventDataPoint { TraceIndex = 0, PointNumber = 1 }]));
        Assert.Equal(navigation.BaseUri + "models/7", navigation.Uri);
    }
}
