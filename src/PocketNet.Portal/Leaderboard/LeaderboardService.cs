using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Data.Registry;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// Builds the leaderboard from the store: the newest result per model and benchmark, real and synthetic
/// benchmarks in separate tables, published reference rows kept apart by their origin.
/// </summary>
public sealed class LeaderboardService(IDbContextFactory<PortalDbContext> store, BenchmarkRegistry registry)
{
    /// <summary>Sort keys besides the benchmark names: the model's name, size and training.</summary>
    public static IReadOnlyList<string> FieldSortKeys { get; } = ["name", "parameters", "flops", "macs", "latency", "mode", "data"];

    public IReadOnlyList<LeaderboardColumn> Columns(LeaderboardScope scope) =>
        registry.Benchmarks
            .Where(b => b.IsSynthetic == (scope == LeaderboardScope.Synthetic))
            .Select(b => new LeaderboardColumn(b.Name, b.DisplayName, b.Protocol, HeadlineMetrics.For(b.Protocol), b.IsSynthetic))
            .ToList();

    public async Task<LeaderboardTable> BuildAsync(LeaderboardQuery query, CancellationToken cancellation = default)
    {
        var columns = Columns(query.Scope);
        bool synthetic = query.Scope == LeaderboardScope.Synthetic;
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<ModelRecord> models = await db.Models.AsNoTracking().ToListAsync(cancellation);
        List<ResultRecord> results = await db.Results.AsNoTracking().Where(r => r.Synthetic == synthetic).ToListAsync(cancellation);
        // The newest result per model, benchmark and runtime: a model evaluated by libtorch and by ONNX Runtime keeps both.
        List<ResultRecord> newest = results
            .GroupBy(r => (r.ModelId, r.Benchmark, r.Runtime))
            .Select(g => Newest(g))
            .ToList();
        var byModel = newest.ToLookup(r => r.ModelId);

        var protocols = registry.Benchmarks.ToDictionary(b => b.Name, b => b.Protocol);
        var byId = models.ToDictionary(m => m.Id);
        var rows = models
            .Where(m => byModel.Contains(m.Id))
            .Where(m => query.IncludeReference || m.Origin != ModelOrigin.Published)
            .SelectMany(m => RowCells(byModel[m.Id], query.ByRuntime).Select(cells => new LeaderboardRow(m.Id, m.Name, m.DisplayName, m.Origin,
                RuntimeOf(cells), m.Architecture, m.Parameters, m.MegaFlops, m.TrainingMode, m.TrainingData, m.SyntheticTraining, m.Source,
                cells.ToDictionary(r => r.Benchmark, r => Cell(r, protocols)), m.SourceUrl, m.Note, m.MegaMacs, m.LatencyMilliseconds, m.LatencyHost,
                Int8Of(m, cells, byId, byModel))))
            .Where(r => Matches(r, query.Filter));
        return new LeaderboardTable(query.Scope, columns, BesideTheirFloatModels(Sort(rows, query)));
    }

    private static ResultRecord Newest(IEnumerable<ResultRecord> results) =>
        results.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).First();

    // By runtime: one set of cells per runtime the model was evaluated by. Otherwise one set: each benchmark's newest
    // result whatever its runtime (the chart's one point per model).
    private static IEnumerable<List<ResultRecord>> RowCells(IEnumerable<ResultRecord> newest, bool byRuntime) =>
        byRuntime
            ? newest.GroupBy(r => r.Runtime).OrderBy(g => ResultRuntimes.Order(g.Key)).Select(g => g.ToList())
            : [newest.GroupBy(r => r.Benchmark).Select(g => Newest(g)).ToList()];

    private static string RuntimeOf(List<ResultRecord> cells) =>
        string.Join("+", cells.Select(r => r.Runtime).Distinct().OrderBy(ResultRuntimes.Order));

    // An int8 row is read against its float model's result on the same benchmark by the same runtime where there is
    // one (the change is then quantisation's alone), else its newest by any runtime.
    private static Int8Comparison? Int8Of(ModelRecord model, List<ResultRecord> cells, Dictionary<int, ModelRecord> models, ILookup<int, ResultRecord> newest)
    {
        if (model.QuantizedFromId is not int id || !models.TryGetValue(id, out ModelRecord? source)) return null;
        var changes = new Dictionary<string, double>();
        foreach (ResultRecord result in cells)
        {
            var float32 = newest[id].Where(r => r.Benchmark == result.Benchmark).ToList();
            if (float32.Count == 0) continue;
            ResultRecord against = float32.FirstOrDefault(r => r.Runtime == result.Runtime) ?? Newest(float32);
            changes[result.Benchmark] = result.Value - against.Value;
        }
        double? speedUp = model.LatencyMilliseconds is > 0 && source.LatencyMilliseconds is double before && model.LatencyHost == source.LatencyHost
            ? before / model.LatencyMilliseconds.Value
            : null;
        return new Int8Comparison(id, source.DisplayName, changes, speedUp);
    }

    // Whatever the sort, an int8 row follows its float model's row when both are shown: the row of its own runtime
    // where the float model has one, else the float model's first row.
    private static List<LeaderboardRow> BesideTheirFloatModels(IEnumerable<LeaderboardRow> sorted)
    {
        List<LeaderboardRow> rows = sorted.ToList();
        var shown = rows.Select(r => r.ModelId).ToHashSet();
        bool Follows(LeaderboardRow r) => r.Int8 is { } c && shown.Contains(c.FloatModelId);
        var floatRows = rows.Where(r => !Follows(r)).ToList();
        var anchors = rows.Where(Follows).ToLookup(int8 =>
            floatRows.FirstOrDefault(f => f.ModelId == int8.Int8!.FloatModelId && f.Runtime == int8.Runtime)
            ?? floatRows.First(f => f.ModelId == int8.Int8!.FloatModelId), ReferenceEqualityComparer.Instance);
        var ordered = new List<LeaderboardRow>(rows.Count);
        foreach (LeaderboardRow row in floatRows)
        {
            ordered.Add(row);
            ordered.AddRange(anchors[row]);
        }
        return ordered;
    }

    private static LeaderboardCell Cell(ResultRecord result, IReadOnlyDictionary<string, BenchmarkProtocol> protocols) =>
        new(result.Value, result.Std, result.Runtime, result.CreatedAt, result.Metric, result.Note,
            OtherMetric: result.Runtime == ResultRuntimes.Published && protocols.TryGetValue(result.Benchmark, out BenchmarkProtocol protocol) && !PublishedMetric.IsHeadline(protocol, result.Metric));

    private static bool Matches(LeaderboardRow row, string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return true;
        string f = filter.Trim();
        return new[] { row.DisplayName, row.Name, row.Architecture, row.TrainingMode, ModeNames(row.TrainingMode), row.TrainingData, row.Origin.ToString(), row.Runtime }
            .Any(text => text?.Contains(f, StringComparison.OrdinalIgnoreCase) == true);
    }

    // The names a run request and the pages give the distillation modes, so "kd" finds what the table calls KD.
    private static string? ModeNames(string? mode) => mode switch
    {
        "Distillation" => "kd",
        "MultiStepDistillation" => "multistep-kd multi-step kd",
        _ => null,
    };

    private static IEnumerable<LeaderboardRow> Sort(IEnumerable<LeaderboardRow> rows, LeaderboardQuery query)
    {
        string sort = query.Sort ?? "name";
        // Missing values sort last whichever the direction.
        return sort switch
        {
            "name" => query.Descending ? rows.OrderByDescending(r => r.DisplayName) : rows.OrderBy(r => r.DisplayName),
            "parameters" => By(rows, r => r.Parameters, query.Descending),
            "flops" => By(rows, r => r.MegaFlops, query.Descending),
            "macs" => By(rows, r => r.MegaMacs, query.Descending),
            "latency" => By(rows, r => r.LatencyMilliseconds, query.Descending),
            "mode" => ByText(rows, r => r.TrainingMode, query.Descending),
            "data" => ByText(rows, r => r.TrainingData, query.Descending),
            _ => By(rows, r => r.Cells.TryGetValue(sort, out var c) ? c.Value : (double?)null, query.Descending),
        };
    }

    private static IEnumerable<LeaderboardRow> By(IEnumerable<LeaderboardRow> rows, Func<LeaderboardRow, double?> key, bool descending)
    {
        var ordered = rows.OrderBy(r => key(r) is null ? 1 : 0);
        return descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
    }

    private static IEnumerable<LeaderboardRow> ByText(IEnumerable<LeaderboardRow> rows, Func<LeaderboardRow, string?> key, bool descending)
    {
        var ordered = rows.OrderBy(r => string.IsNullOrEmpty(key(r)) ? 1 : 0);
        return (descending ? ordered.ThenByDescending(key, StringComparer.OrdinalIgnoreCase) : ordered.ThenBy(key, StringComparer.OrdinalIgnoreCase))
            .ThenBy(r => r.DisplayName, StringComparer.OrdinalIgnoreCase);
    }
}
