using PocketNet.Portal.Components.Shared;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Results;

/// <summary>The x axis of the trade-off chart.</summary>
public enum TradeOffAxis
{
    Parameters,
    Flops,
    Macs,
    Latency,
}

/// <summary>A model on the chart: where it sits and what its hover says.</summary>
public sealed record TradeOffModel(LeaderboardRow Row, double Cost, LeaderboardCell Result);

/// <summary>
/// Accuracy against size for one benchmark as a plotly figure: one trace per origin (trained here, imported,
/// external, published reference) with its own marker, the Pareto frontier as a step line, a log x axis. Each point
/// carries the model's name in text and its page in customdata, which portal.js opens on a click. A published value
/// measured by another metric than the benchmark's (<see cref="OtherMetric"/> of them) has no place on its axis.
/// </summary>
public sealed record TradeOffChart(object Figure, IReadOnlyList<TradeOffModel> Models, IReadOnlyList<TradeOffModel> Frontier, int WithoutCost, int OtherMetric = 0)
{
    private static readonly (ModelOrigin Origin, string Name, string Symbol, string Color)[] Traces =
    [
        (ModelOrigin.Trained, "trained here", "circle", "#2f6fdf"),
        (ModelOrigin.Imported, "imported", "square", "#7a4fd0"),
        (ModelOrigin.External, "external (ONNX)", "diamond", "#2a9d5b"),
        (ModelOrigin.Published, "published (paper reference)", "star", "#d9822b"),
        (ModelOrigin.Baseline, "random weights (floor)", "x", "#8a8f98"),
        (ModelOrigin.Quantized, "int8 (quantised here)", "triangle-up", "#c2417a"),
    ];

    public static TradeOffChart Of(IEnumerable<LeaderboardRow> rows, LeaderboardColumn benchmark, TradeOffAxis axis)
    {
        var models = new List<TradeOffModel>();
        int withoutCost = 0, otherMetric = 0;
        foreach (LeaderboardRow row in rows)
        {
            if (!row.Cells.TryGetValue(benchmark.Benchmark, out LeaderboardCell? cell)) continue;
            if (cell.OtherMetric)
            {
                otherMetric++;
                continue;
            }
            double? cost = axis switch
            {
                TradeOffAxis.Parameters => row.MegaParameters,
                TradeOffAxis.Macs => row.MegaMacs,
                TradeOffAxis.Latency => row.LatencyMilliseconds,
                _ => row.MegaFlops,
            };
            // A log axis has no place for a model of unknown or zero size; the page says how many were left out.
            if (cost is not double c || c <= 0)
            {
                withoutCost++;
                continue;
            }
            models.Add(new TradeOffModel(row, c, cell));
        }

        var byPoint = models.ToDictionary(m => m.Row.ModelId);
        var frontier = ParetoFrontier.Of(models.Select(m => new TradeOffPoint(m.Row.ModelId, m.Cost, m.Result.Value)))
            .Select(p => byPoint[p.ModelId]).ToList();

        var data = new List<object>();
        foreach (var (origin, name, symbol, color) in Traces)
        {
            var points = models.Where(m => m.Row.Origin == origin).ToList();
            if (points.Count == 0) continue;
            data.Add(new
            {
                type = "scatter",
                mode = "markers",
                name,
                x = points.Select(p => p.Cost).ToArray(),
                y = points.Select(Percent).ToArray(),
                text = points.Select(p => p.Row.DisplayName).ToArray(),
                hovertext = points.Select(p => Hover(p, benchmark)).ToArray(),
                hoverinfo = "text",
                customdata = points.Select(p => new { url = $"models/{p.Row.ModelId}" }).ToArray(),
                marker = new { symbol, size = origin == ModelOrigin.Published ? 15 : 12, color, line = new { width = 1, color = "#ffffff" } },
            });
        }
        if (frontier.Count > 0)
        {
            // A step from each frontier model to the next: from that cost on, its accuracy is the best on offer. The last
            // step runs on to the costliest model, so models under the frontier are seen to be under it.
            double end = models.Max(m => m.Cost);
            var steps = frontier.Select(p => (Cost: p.Cost, Accuracy: Percent(p), Name: p.Row.DisplayName, Marker: 22)).ToList();
            if (end > frontier[^1].Cost) steps.Add((end, Percent(frontier[^1]), "", 0));
            data.Add(new
            {
                type = "scatter",
                mode = "lines+markers",
                name = "Pareto frontier",
                x = steps.Select(s => s.Cost).ToArray(),
                y = steps.Select(s => s.Accuracy).ToArray(),
                text = steps.Select(s => s.Name).ToArray(),
                hoverinfo = "skip",
                line = new { shape = "hv", dash = "dot", width = 2, color = "#5b6477" },
                // Frontier models get a ring, so a frontier of one model still shows.
                marker = new { symbol = "circle-open", size = steps.Select(s => s.Marker).ToArray(), color = "#5b6477", line = new { width = 1.5 } },
            });
        }

        string metric = $"{benchmark.DisplayName}: {benchmark.Metric} (%)";
        var figure = new
        {
            data,
            layout = new
            {
                xaxis = new
                {
                    type = "log",
                    range = LogRange(models.Select(m => m.Cost)),
                    title = new { text = AxisTitle(axis) },
                    gridcolor = "#e6e9ef",
                },
                yaxis = new { title = new { text = metric }, range = PercentRange(models.Select(Percent)), gridcolor = "#e6e9ef", ticksuffix = " %" },
                legend = new { orientation = "h", y = -0.18 },
                margin = new { t = 24, r = 24, b = 90, l = 70 },
                hovermode = "closest",
                paper_bgcolor = "#ffffff",
                plot_bgcolor = "#ffffff",
            },
        };
        return new TradeOffChart(figure, models, frontier, withoutCost, otherMetric);
    }

    private static double Percent(TradeOffModel model) => Math.Round(model.Result.Value * 100, 4);

    // Axis ranges with room around the points (plotly's own autorange puts the extreme markers on the frame).
    // A log axis's range is in decades.
    private static double[]? LogRange(IEnumerable<double> costs)
    {
        var decades = costs.Select(Math.Log10).ToList();
        if (decades.Count == 0) return null;
        double low = decades.Min(), high = decades.Max(), pad = Math.Max(0.15, (high - low) * 0.08);
        return [low - pad, high + pad];
    }

    private static double[]? PercentRange(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return null;
        double low = list.Min(), high = list.Max(), pad = Math.Max(0.5, (high - low) * 0.1);
        return [Math.Max(0, low - pad), high + pad];
    }

    private static string Hover(TradeOffModel model, LeaderboardColumn benchmark)
    {
        LeaderboardRow row = model.Row;
        string data = row.TrainingData is null ? "–" : row.SyntheticTraining ? $"{row.TrainingData} (synthetic)" : row.TrainingData;
        return string.Join("<br>",
            $"<b>{Escape(row.DisplayName)}</b>{(row.IsReference ? " (published reference)" : "")}",
            $"{Escape(benchmark.DisplayName)}: {ResultFormat.Value(model.Result.Value, model.Result.Std)}{(row.IsReference && model.Result.Metric is { } m ? $" ({Escape(m)})" : "")}",
            $"parameters: {Format.Parameters(row.Parameters)}",
            $"FLOPs: {Format.MegaFlops(row.MegaFlops)}",
            $"MACs: {Format.MegaMacs(row.MegaMacs)}",
            $"latency: {Format.Milliseconds(row.LatencyMilliseconds)}",
            $"training: {Escape(ResultFormat.Mode(row.TrainingMode))} on {Escape(data)}",
            row.IsReference ? "no weights: the paper's number" : "click to open the model");
    }

    // Plotly renders hover text as HTML; names come from users.
    private static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);

    private static string AxisTitle(TradeOffAxis axis) => axis switch
    {
        TradeOffAxis.Parameters => "parameters (millions, log scale)",
        TradeOffAxis.Macs => "MMACs of one 112×112 image (log scale)",
        TradeOffAxis.Latency => "ms per image at batch 1 on its host (log scale)",
        _ => "MFLOPs of one 112×112 image (log scale)",
    };
}
