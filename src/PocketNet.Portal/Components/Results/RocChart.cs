using System.Text.Json;
using Plotly.Blazor;
using PlotlyLayout = Plotly.Blazor.Layout;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using PocketNet.Application.Evaluation;
using PocketNet.Evaluation.Verification;
using PocketNet.Portal.Components.Shared;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Results;

/// <summary>One benchmark's ROC curve as stored with its result: FAR ascending, fractions.</summary>
public sealed record RocCurve(string Benchmark, string DisplayName, bool Synthetic, IReadOnlyList<RocPoint> Points);

/// <summary>
/// A model's ROC curves (true accept rate against false accept rate on a log axis) read from the results' details:
/// the pair sets' 10-fold ROC, IJB's template-pair ROC and MegaFace's. Real and synthetic benchmarks get separate
/// charts (<see cref="Of"/> is called once per kind), so they never share axes.
/// </summary>
public static class RocChart
{
    /// <summary>The curves of the given results that have ROC points; a result without readable details has none.</summary>
    public static IReadOnlyList<RocCurve> Curves(IEnumerable<ResultRecord> results)
    {
        var curves = new List<RocCurve>();
        foreach (ResultRecord result in results)
        {
            if (result.DetailsJson is not { Length: > 0 } json) continue;
            BenchmarkResult? details;
            try
            {
                details = JsonSerializer.Deserialize<BenchmarkResult>(json, StoreJson.Options);
            }
            catch (JsonException)
            {
                continue;
            }
            IReadOnlyList<RocPoint>? roc = details?.Pairs?.Roc ?? details?.Ijb?.Roc ?? details?.MegaFace?.Roc;
            // FAR = 0 has no place on a log axis; the curve starts at the first accepted impostor.
            var points = roc?.Where(p => p.FalseAcceptRate > 0).OrderBy(p => p.FalseAcceptRate).ToList();
            if (points is { Count: > 0 }) curves.Add(new RocCurve(result.Benchmark, result.DisplayName, result.Synthetic, points));
        }
        return curves;
    }

    public static ChartFigure Figure(IReadOnlyList<RocCurve> curves) => new(
        [.. curves.Select(c => (ITrace)new Scatter
        {
            Mode = ModeFlag.Lines,
            Name = c.Synthetic ? $"{c.DisplayName} (synthetic)" : c.DisplayName,
            X = [.. c.Points.Select(p => (object)p.FalseAcceptRate)],
            Y = [.. c.Points.Select(p => (object)p.TrueAcceptRate)],
            CustomData = [.. c.Points.Select(p => (object)Math.Round(p.Threshold, 4))],
            HoverTemplate = $"{ChartStyle.Template(c.DisplayName)}<br>FAR %{{x:.2e}}<br>TAR %{{y:.2%}}<br>threshold %{{customdata}}<extra></extra>",
            Line = new Line { Width = 2 },
        })],
        new PlotlyLayout
        {
            XAxis = [new XAxis
            {
                Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Log,
                Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = "false accept rate (log scale)" },
                GridColor = ChartStyle.GridColor,
                ExponentFormat = Plotly.Blazor.LayoutLib.XAxisLib.ExponentFormatEnum.Power,
            }],
            YAxis = [ChartStyle.YAxis("true accept rate", range: [0.0, 1.02], tickFormat: ".0%")],
            Legend = [ChartStyle.LegendBelow(-0.22m)],
            Margin = ChartStyle.Margin(60, 20, 20, 90),
            HoverMode = HoverModeEnum.Closest,
            PaperBgColor = "#ffffff",
            PlotBgColor = "#ffffff",
        });
}
