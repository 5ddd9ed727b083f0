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
        var newest = results
            .GroupBy(r => (r.ModelId, r.Benchmark))
            .Select(g => g.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).First())
            .ToLookup(r => r.ModelId);

        var protocols = registry.Benchmarks.ToDictionary(b => b.Name, b => b.Protocol);
        var byId = models.ToDictionary(m => m.Id);
        var rows = models
            .Where(m => newest.Contains(m.Id))
            .Where(m => query.IncludeReference || m.Origin != ModelOrigin.Published)
            .Select(m => new LeaderboardRow(m.Id, m.Name, m.DisplayName, m.Origin, m.Architecture, m.Parameters, m.MegaFlops,
                m.TrainingMode, m.TrainingData, m.SyntheticTraining, m.Source,
                newest[m.Id].ToDictionary(r => r.Benchmark, r => Cell(r, protocols)), m.SourceUrl, m.Note, m.MegaMacs, m.LatencyMilliseconds, m.LatencyHost,
                Int8Of(m, byId, newest)))
            .Where(r => Matches(r, query.Filter));
        return new LeaderboardTable(query.Scope, columns, BesideTheirFloatModels(Sort(rows, query)));
    }

    private static Int8Comparison? Int8Of(ModelRecord model, Dictionary<int, ModelRecord> models, ILookup<int, ResultRecord> newest)
    {
        if (model.QuantizedFromId is not int id || !models.TryGetValue(id, out ModelRecord? source)) return null;
        var float32 = newest[id].ToDictionary(r => r.Benchmark, r => r.Value);
        var changes = newest[model.Id].Where(r => float32.ContainsKey(r.Benchmark)).ToDictionary(r => r.Benchmark, r => r.Value - float32[r.Benchmark]);
        double? speedUp = model.LatencyMilliseconds is > 0 && source.LatencyMilliseconds is double before && model.LatencyHost == source.LatencyHost
            ? before / model.LatencyMilliseconds.Value
            : null;
        return new Int8Comparison(id, source.DisplayName, changes, speedUp);
    }

    // Whatever the sort, an int8 row follows its float model's row when both are shown.
    private static List<LeaderboardRow> BesideTheirFloatModels(IEnumerable<LeaderboardRow> sorted)
    {
        List<LeaderboardRow> rows = sorted.ToList();
        var shown = rows.Select(r => r.ModelId).ToHashSet();
        bool Follows(LeaderboardRow r) => r.Int8 is { } c && shown.Contains(c.FloatModelId);
        var int8Rows = rows.Where(Follows).ToLookup(r => r.Int8!.FloatModelId);
        var ordered = new List<LeaderboardRow>(rows.Count);
        foreach (LeaderboardRow row in rows.Where(r => !Follows(r)))
        {
            ordered.Add(row);
            ordered.AddRange(int8Rows[row.ModelId]);
        }
        return ordered;
    }

    private static LeaderboardCell Cell(ResultRecord result, IReadOnlyDictionary<string, BenchmarkProtocol> protocols) =>
        new(result.Value, result.Std, result.Runtime, result.CreatedAt, result.Metric, result.Note,
            OtherMetric: result.Runtime == "published" && protocols.TryGetValue(result.Benchmark, out BenchmarkProtocol protocol) && !PublishedMetric.IsHeadline(protocol, result.Metric));

    private static bool Matches(LeaderboardRow row, string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return true;
        string f = filter.Trim();
        return new[] { row.DisplayName, row.Name, row.Architecture, row.TrainingMode, ModeNames(row.TrainingMode), row.TrainingData, row.Origin.ToString() }
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
