using Plotly.Blazor;
using PlotlyLayout = Plotly.Blazor.Layout;
using Plotly.Blazor.LayoutLib;

namespace PocketNet.Portal.Components.Shared;

/// <summary>
/// A chart as <see cref="Chart"/> draws it with Plotly.Blazor: its traces, its layout and, for charts whose points
/// are models, the page each point opens when clicked (<see cref="Links"/>[trace][point], null for none).
/// </summary>
public sealed record ChartFigure(IList<ITrace> Data, PlotlyLayout Layout, IReadOnlyList<IReadOnlyList<string?>>? Links = null)
{
    /// <summary>How many points the figure's traces hold (x values), the frontier's steps included.</summary>
    public int PointCount => Data.OfType<Plotly.Blazor.Traces.Scatter>().Sum(s => s.X?.Count ?? 0);

    public string? LinkAt(int trace, int point) =>
        Links is { } links && trace >= 0 && trace < links.Count && point >= 0 && point < links[trace].Count ? links[trace][point] : null;
}

/// <summary>The portal's chart conventions: light grid, legend under the plot, a note across an empty chart.</summary>
public static class ChartStyle
{
    public const string GridColor = "#e6e9ef";

    public static XAxis XAxis(string title, bool log = false, IList<object>? range = null) => new()
    {
        Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = title },
        Type = log ? Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Log : null,
        Range = range,
        GridColor = GridColor,
    };

    public static YAxis YAxis(string title, IList<object>? range = null, string? tickSuffix = null, string? tickFormat = null, bool log = false) => new()
    {
        Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = title },
        Type = log ? Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log : null,
        Range = range,
        TickSuffix = tickSuffix,
        TickFormat = tickFormat,
        GridColor = GridColor,
    };

    public static Legend LegendBelow(decimal y) => new() { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, Y = y };

    public static Margin Margin(int left, int right, int top, int bottom) => new() { L = left, R = right, T = top, B = bottom };

    /// <summary>A note centred across the plot, for a chart with nothing to draw yet.</summary>
    public static IList<Annotation>? EmptyNote(string? text) => text is null
        ? null
        : [new Annotation { Text = text, ShowArrow = false, XRef = "paper", YRef = "paper", X = 0.5m, Y = 0.5m }];

    // Plotly renders hover text and templates as HTML; names come from users.
    public static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);

    /// <summary>As <see cref="Html"/>, for a hover template, where '%' starts a placeholder.</summary>
    public static string Template(string text) => Html(text).Replace("%", "%%");
}
