using Plotly.Blazor;
using PlotlyLayout = Plotly.Blazor.Layout;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using SymbolEnum = Plotly.Blazor.Traces.ScatterLib.MarkerLib.SymbolEnum;
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
/// Accuracy against size for one benchmark: one trace per origin (trained here, imported, external, published
/// reference) with its own marker and the 10-fold standard deviation as error bars where there is one, the Pareto
/// frontier as a step line, a log x axis. A click on a point opens its model's page. A published value measured by
/// another metric than the benchmark's (<see cref="OtherMetric"/> of them) has no place on its axis.
/// </summary>
public sealed record TradeOffChart(ChartFigure Figure, IReadOnlyList<TradeOffModel> Models, IReadOnlyList<TradeOffModel> Frontier, int WithoutCost, int OtherMetric = 0)
{
    private static readonly (ModelOrigin Origin, string Name, SymbolEnum Symbol, string Color)[] Traces =
    [
        (ModelOrigin.Trained, "trained here", SymbolEnum.Circle, "#2f6fdf"),
        (ModelOrigin.Imported, "imported", SymbolEnum.Square, "#7a4fd0"),
        (ModelOrigin.External, "external (ONNX)", SymbolEnum.Diamond, "#2a9d5b"),
        (ModelOrigin.Published, "published (paper reference)", SymbolEnum.Star, "#d9822b"),
        (ModelOrigin.Baseline, "random weights (floor)", SymbolEnum.X, "#8a8f98"),
        (ModelOrigin.Quantized, "int8 (quantised here)", SymbolEnum.TriangleUp, "#c2417a"),
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

        var data = new List<ITrace>();
        var links = new List<IReadOnlyList<string?>>();
        foreach (var (origin, name, symbol, color) in Traces)
        {
            var points = models.Where(m => m.Row.Origin == origin).ToList();
            if (points.Count == 0) continue;
            data.Add(new Scatter
            {
                Mode = ModeFlag.Markers,
                Name = name,
                X = [.. points.Select(p => (object)p.Cost)],
                Y = [.. points.Select(p => (object)Percent(p))],
                TextArray = [.. points.Select(p => p.Row.DisplayName)],
                HoverTextArray = [.. points.Select(p => Hover(p, benchmark))],
                HoverInfo = HoverInfoFlag.Text,
                ErrorY = ErrorBars(points),
                Marker = new Marker
                {
                    Symbol = symbol, Size = origin == ModelOrigin.Published ? 15 : 12, Color = color,
                    Line = new Plotly.Blazor.Traces.ScatterLib.MarkerLib.Line { Width = 1, Color = "#ffffff" },
                },
            });
            links.Add([.. points.Select(p => (string?)$"models/{p.Row.ModelId}")]);
        }
        if (frontier.Count > 0)
        {
            // A step from each frontier model to the next: from that cost on, its accuracy is the best on offer. The last
            // step runs on to the costliest model, so models under the frontier are seen to be under it.
            double end = models.Max(m => m.Cost);
            var steps = frontier.Select(p => (Cost: p.Cost, Accuracy: Percent(p), Name: p.Row.DisplayName, Marker: 22m)).ToList();
            if (end > frontier[^1].Cost) steps.Add((end, Percent(frontier[^1]), "", 0m));
            data.Add(new Scatter
            {
                Mode = ModeFlag.Lines | ModeFlag.Markers,
                Name = "Pareto frontier",
                X = [.. steps.Select(s => (object)s.Cost)],
                Y = [.. steps.Select(s => (object)s.Accuracy)],
                TextArray = [.. steps.Select(s => s.Name)],
                HoverInfo = HoverInfoFlag.Skip,
                Line = new Line { Shape = Plotly.Blazor.Traces.ScatterLib.LineLib.ShapeEnum.Hv, Dash = "dot", Width = 2, Color = "#5b6477" },
                // Frontier models get a ring, so a frontier of one model still shows.
                Marker = new Marker
                {
                    Symbol = SymbolEnum.CircleOpen, SizeArray = [.. steps.Select(s => (decimal?)s.Marker)], Color = "#5b6477",
                    Line = new Plotly.Blazor.Traces.ScatterLib.MarkerLib.Line { Width = 1.5m },
                },
            });
            links.Add([]);
        }

        string metric = $"{benchmark.DisplayName}: {benchmark.Metric} (%)";
        var figure = new ChartFigure(data, new PlotlyLayout
        {
            XAxis = [ChartStyle.XAxis(AxisTitle(axis), log: true, range: LogRange(models.Select(m => m.Cost)))],
            YAxis = [ChartStyle.YAxis(metric, range: PercentRange(models.Select(Percent)), tickSuffix: " %")],
            Legend = [ChartStyle.LegendBelow(-0.18m)],
            Margin = ChartStyle.Margin(70, 24, 24, 90),
            HoverMode = HoverModeEnum.Closest,
            PaperBgColor = "#ffffff",
            PlotBgColor = "#ffffff",
        }, links);
        return new TradeOffChart(figure, models, frontier, withoutCost, otherMetric);
    }

    private static double Percent(TradeOffModel model) => Math.Round(model.Result.Value * 100, 4);

    // Axis ranges with room around the points (plotly's own autorange puts the extreme markers on the frame).
    // A log axis's range is in decades.
    // The 10-fold standard deviation where the benchmark's protocol has one (pair sets), in percentage points.
    private static ErrorY? ErrorBars(IReadOnlyList<TradeOffModel> points) =>
        points.Any(p => p.Result.Std is > 0)
            ? new ErrorY
            {
                Type = Plotly.Blazor.Traces.ScatterLib.ErrorYLib.TypeEnum.Data,
                Array = [.. points.Select(p => (object)Math.Round((p.Result.Std ?? 0) * 100, 4))],
                Visible = true, Thickness = 1, Width = 3,
            }
            : null;

    private static IList<object>? LogRange(IEnumerable<double> costs)
    {
        var decades = costs.Select(Math.Log10).ToList();
        if (decades.Count == 0) return null;
        double low = decades.Min(), high = decades.Max(), pad = Math.Max(0.15, (high - low) * 0.08);
        return [low - pad, high + pad];
    }

    private static IList<object>? PercentRange(IEnumerable<double> values)
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

    private static string Escape(string text) => ChartStyle.Html(text);

    private static string AxisTitle(TradeOffAxis axis) => axis switch
    {
        TradeOffAxis.Parameters => "parameters (millions, log scale)",
        TradeOffAxis.Macs => "MMACs of one 112×112 image (log scale)",
        TradeOffAxis.Latency => "ms per image at batch 1 on its host (log scale)",
        _ => "MFLOPs of one 112×112 image (log scale)",
    };
}
