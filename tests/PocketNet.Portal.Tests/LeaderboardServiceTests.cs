using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>LeaderboardService over a store: newest result per benchmark, real and synthetic apart, sorting with missing values last.</summary>
public sealed class LeaderboardServiceTests : IDisposable
{
    private readonly TestStore _store = new();
    private readonly LeaderboardService _service;
    private readonly DateTime _now = DateTime.UtcNow;

    public LeaderboardServiceTests()
    {
        _service = new LeaderboardService(_store, TestStore.Registry);
        Seed("alpha", 2_000_000, 400, ModelOrigin.Trained, ("lfw", 0.97, 0), ("cfp_fp", 0.90, 0), ("synth_lfw", 0.70, 0));
        Seed("beta", 1_000_000, null, ModelOrigin.External, ("lfw", 0.99, 0));
        Seed("gamma", 3_000_000, 200, ModelOrigin.Published, ("cfp_fp", 0.95, 0));
        Seed("delta", 500_000, 100, ModelOrigin.Trained, ("synth_lfw", 0.60, 0));
        // An older, better lfw result of delta on real data: the newest result counts, and a newer one is worse.
        Seed("epsilon", 800_000, 150, ModelOrigin.Imported, ("lfw", 0.999, -2), ("lfw", 0.95, -1));
    }

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData("lfw", true, "beta,alpha,epsilon,gamma")]
    [InlineData("lfw", false, "epsilon,alpha,beta,gamma")]
    [InlineData("cfp_fp", true, "gamma,alpha,beta,epsilon")]
    [InlineData("cfp_fp", false, "alpha,gamma,beta,epsilon")]
    [InlineData("flops", false, "epsilon,gamma,alpha,beta")]
    [InlineData("flops", true, "alpha,gamma,epsilon,beta")]
    [InlineData("parameters", false, "epsilon,beta,alpha,gamma")]
    [InlineData("name", false, "alpha,beta,epsilon,gamma")]
    [InlineData("name", true, "gamma,epsilon,beta,alpha")]
    public async Task Rows_sort_by_the_chosen_key_with_missing_values_last_in_either_direction(string sort, bool descending, string expected)
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, sort, descending));
        Assert.Equal(expected.Split(','), table.Rows.Select(r => r.Name));
    }

    [Fact]
    public async Task A_benchmark_nobody_has_a_result_on_keeps_every_row()
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, "megaface"));
        Assert.Equal(4, table.Rows.Count);
    }

    [Fact]
    public async Task The_real_table_has_only_real_columns_and_the_rows_with_real_results()
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real));
        Assert.Equal(["agedb_30", "calfw", "cfp_ff", "cfp_fp", "cplfw", "ijbb", "ijbc", "lfw", "megaface"], table.Columns.Select(c => c.Benchmark).Order());
        Assert.DoesNotContain(table.Rows, r => r.Name == "delta");
        Assert.DoesNotContain(table.Rows.SelectMany(r => r.Cells.Keys), k => k.StartsWith("synth_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_synthetic_table_has_only_synthetic_columns_and_rows()
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Synthetic, "synth_lfw"));
        Assert.All(table.Columns, c => Assert.True(c.Synthetic));
        Assert.Equal(["alpha", "delta"], table.Rows.Select(r => r.Name));
        Assert.Equal(["synth_lfw"], table.Rows.SelectMany(r => r.Cells.Keys).Distinct());
    }

    [Fact]
    public async Task Each_cell_is_the_newest_result()
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real));
        Assert.Equal(0.95, table.Rows.Single(r => r.Name == "epsilon").Cells["lfw"].Value);
    }

    [Fact]
    public async Task Reference_rows_can_be_left_out()
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, IncludeReference: false));
        Assert.DoesNotContain(table.Rows, r => r.IsReference);
        Assert.Equal(3, table.Rows.Count);
    }

    [Theory]
    [InlineData("ALPHA", "alpha")]
    [InlineData("external", "beta")]
    [InlineData("Imported", "epsilon")]
    [InlineData("  gam  ", "gamma")]
    public async Task The_filter_matches_names_and_origins_ignoring_case(string filter, string expected)
    {
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, Filter: filter));
        Assert.Equal([expected], table.Rows.Select(r => r.Name));
    }

    [Fact]
    public async Task By_runtime_a_model_evaluated_by_both_runtimes_has_a_row_for_each_with_that_runtimes_newest_results()
    {
        SeedByRuntime("zeta", ("lfw", 0.91, -3, "libtorch"), ("lfw", 0.92, -2, "libtorch"), ("lfw", 0.93, -1, "onnx"), ("cfp_fp", 0.80, -1, "libtorch"));
        LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, "name", false, ByRuntime: true));
        var rows = table.Rows.Where(r => r.Name == "zeta").ToList();
        Assert.Equal(["libtorch", "onnx"], rows.Select(r => r.Runtime));
        Assert.Equal(0.92, rows[0].Cells["lfw"].Value);
        Assert.Equal(0.80, rows[0].Cells["cfp_fp"].Value);
        Assert.Equal(0.93, rows[1].Cells["lfw"].Value);
        Assert.False(rows[1].Cells.ContainsKey("cfp_fp"));
        Assert.All(rows, r => Assert.All(r.Cells.Values, c => Assert.Equal(r.Runtime, c.Runtime)));
        // Models evaluated by one runtime keep one row, named after it; the paper's rows are "published".
        Assert.Equal("libtorch", table.Rows.Single(r => r.Name == "alpha").Runtime);
        Assert.Equal("onnx", Assert.Single(await RowsAsync(new LeaderboardQuery(LeaderboardScope.Real, Filter: "onnx", ByRuntime: true))).Runtime);
    }

    [Fact]
    public async Task Without_by_runtime_a_model_has_one_row_of_each_benchmarks_newest_result_whatever_its_runtime()
    {
        SeedByRuntime("zeta", ("lfw", 0.92, -2, "libtorch"), ("lfw", 0.93, -1, "onnx"), ("cfp_fp", 0.80, -1, "libtorch"));
        LeaderboardRow row = Assert.Single(await RowsAsync(new LeaderboardQuery(LeaderboardScope.Real, Filter: "zeta")));
        Assert.Equal("libtorch+onnx", row.Runtime);
        Assert.Equal(0.93, row.Cells["lfw"].Value);
        Assert.Equal("onnx", row.Cells["lfw"].Runtime);
        Assert.Equal(0.80, row.Cells["cfp_fp"].Value);
    }

    [Fact]
    public async Task An_int8_row_follows_its_float_models_row_of_the_same_runtime_and_is_compared_with_it()
    {
        int source = SeedByRuntime("zeta", ("lfw", 0.92, -2, "libtorch"), ("lfw", 0.90, -1, "onnx"));
        SeedByRuntime("zeta-int8", source, ("lfw", 0.89, 0, "onnx"));
        foreach (string sort in new[] { "name", "lfw" })
        {
            LeaderboardTable table = await _service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, sort, Filter: "zeta", ByRuntime: true));
            Assert.Equal(["zeta libtorch", "zeta onnx", "zeta-int8 onnx"], table.Rows.Select(r => $"{r.Name} {r.Runtime}"));
            // Against the float model's ONNX Runtime result (0.90), not its libtorch one (0.92): the change is quantisation's alone.
            Assert.Equal(-0.01, table.Rows[2].Int8!.Changes["lfw"], 9);
        }
    }

    private async Task<IReadOnlyList<LeaderboardRow>> RowsAsync(LeaderboardQuery query) => (await _service.BuildAsync(query)).Rows;

    private int SeedByRuntime(string name, params (string Benchmark, double Value, int HoursAgo, string Runtime)[] results) => SeedByRuntime(name, null, results);

    private int SeedByRuntime(string name, int? quantizedFrom, params (string Benchmark, double Value, int HoursAgo, string Runtime)[] results)
    {
        using PortalDbContext db = _store.CreateDbContext();
        var model = new ModelRecord
        {
            Name = name, DisplayName = name, Origin = quantizedFrom is null ? ModelOrigin.Trained : ModelOrigin.Quantized, Architecture = "PocketNet",
            Parameters = 900_000, EmbeddingSize = 128, CreatedAt = _now, QuantizedFromId = quantizedFrom,
        };
        foreach (var (benchmark, value, hoursAgo, runtime) in results)
            model.Results.Add(new ResultRecord
            {
                Benchmark = benchmark, DisplayName = benchmark, Protocol = "Pairs", Metric = "accuracy", Value = value, Runtime = runtime, CreatedAt = _now.AddHours(hoursAgo),
            });
        db.Models.Add(model);
        db.SaveChanges();
        return model.Id;
    }

    private void Seed(string name, long parameters, double? megaFlops, ModelOrigin origin, params (string Benchmark, double Value, int HoursAgo)[] results)
    {
        using PortalDbContext db = _store.CreateDbContext();
        var model = new ModelRecord
        {
            Name = name, DisplayName = name, Origin = origin, Architecture = "PocketNet", Parameters = parameters, MegaFlops = megaFlops,
            EmbeddingSize = 128, CreatedAt = _now,
        };
        foreach (var (benchmark, value, hoursAgo) in results)
            model.Results.Add(new ResultRecord
            {
                Benchmark = benchmark, DisplayName = benchmark, Protocol = "Pairs", Synthetic = benchmark.StartsWith("synth_", StringComparison.Ordinal),
                Metric = "accuracy", Value = value, Runtime = "libtorch", CreatedAt = _now.AddHours(hoursAgo),
            });
        db.Models.Add(model);
        db.SaveChanges();
    }
}
