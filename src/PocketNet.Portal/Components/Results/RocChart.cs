using System.Text.Json;
using PocketNet.Application.Evaluation;
using PocketNet.Evaluation.Verification;
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

    public static object Figure(IReadOnlyList<RocCurve> curves)
    {
        var data = curves.Select(c => new
        {
            type = "scatter",
            mode = "lines",
            name = c.Synthetic ? $"{c.DisplayName} (synthetic)" : c.DisplayName,
            x = c.Points.Select(p => p.FalseAcceptRate).ToArray(),
            y = c.Points.Select(p => p.TrueAcceptRate).ToArray(),
            customdata = c.Points.Select(p => Math.Round(p.Threshold, 4)).ToArray(),
            hovertemplate = $"{System.Net.WebUtility.HtmlEncode(c.DisplayName)}<br>FAR %{{x:.2e}}<br>TAR %{{y:.2%}}<br>threshold %{{customdata}}<extra></extra>",
            line = new { width = 2 },
        }).ToArray();
        return new
        {
            data,
            layout = new
            {
                xaxis = new { type = "log", title = new { text = "false accept rate (log scale)" }, gridcolor = "#e6e9ef", exponentformat = "power" },
                yaxis = new { title = new { text = "true accept rate" }, range = new[] { 0.0, 1.02 }, tickformat = ".0%", gridcolor = "#e6e9ef" },
                legend = new { orientation = "h", y = -0.22 },
                margin = new { t = 20, r = 20, b = 90, l = 60 },
                hovermode = "closest",
                paper_bgcolor = "#ffffff",
                plot_bgcolor = "#ffffff",
            },
        };
    }
}
