using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// GET /api/leaderboard sorts (missing values last), filters and exports rows. The rows are written into the store
/// with known numbers; each test filters on their common tag so other rows of the shared portal do not matter.
/// </summary>
[Collection(IdlePortalCollection.Name)]
public sealed class LeaderboardSortingApiTests(IdlePortal idle) : IAsyncLifetime
{
    private readonly string _tag = $"lbtag{Guid.NewGuid():N}"[..14];
    private readonly List<int> _models = [];

    public async Task InitializeAsync()
    {
        DateTime now = DateTime.UtcNow;
        // big: both benchmarks; small: lfw only, FLOPs unknown, an older better lfw result; mid: cfp_fp only.
        await SeedAsync("big", ModelOrigin.External, 3_000_000, 900, ("synth_lfw", 0.90, now), ("synth_cfp_fp", 0.70, now));
        await SeedAsync("small", ModelOrigin.Trained, 500_000, null, ("synth_lfw", 0.99, now.AddHours(-1)), ("synth_lfw", 0.80, now));
        await SeedAsync("mid, \"quoted\"", ModelOrigin.Imported, 1_000_000, 300, ("synth_cfp_fp", 0.75, now));
    }

    public async Task DisposeAsync()
    {
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        await db.Models.Where(m => _models.Contains(m.Id)).ExecuteDeleteAsync();
    }

    [Theory]
    [InlineData("sort=synth_lfw", "big,small,mid")]
    [InlineData("sort=synth_lfw&desc=true", "big,small,mid")]
    [InlineData("sort=synth_lfw&desc=false", "small,big,mid")]
    [InlineData("sort=synth_cfp_fp", "mid,big,small")]
    [InlineData("sort=synth_cfp_fp&desc=false", "big,mid,small")]
    [InlineData("sort=flops&desc=false", "mid,big,small")]
    [InlineData("sort=flops&desc=true", "big,mid,small")]
    [InlineData("sort=parameters&desc=false", "small,mid,big")]
    [InlineData("sort=parameters&desc=true", "big,mid,small")]
    [InlineData("sort=name&desc=false", "big,mid,small")]
    [InlineData("sort=name&desc=true", "small,mid,big")]
    public async Task Rows_sort_by_the_chosen_column_with_missing_values_last(string query, string expected) =>
        Assert.Equal(expected.Split(','), await OrderAsync(query));

    [Theory]
    [InlineData("sort=synth_lfw", "big,small,mid")]
    [InlineData("sort=parameters", "small,mid,big")]
    [InlineData("sort=flops", "mid,big,small")]
    [InlineData("sort=name", "big,mid,small")]
    [InlineData("", "big,mid,small")]
    [InlineData("sort=", "big,mid,small")]
    public async Task Without_a_direction_benchmarks_rank_best_first_and_sizes_and_names_ascend(string query, string expected) =>
        Assert.Equal(expected.Split(','), await OrderAsync(query));

    [Fact]
    public async Task A_row_shows_its_newest_result_per_benchmark()
    {
        LeaderboardTable table = await TableAsync("");
        LeaderboardRow small = table.Rows.Single(r => r.DisplayName == Name("small"));
        Assert.Equal(0.80, small.Cells["synth_lfw"].Value);
        Assert.False(small.Cells.ContainsKey("synth_cfp_fp"));
    }

    [Fact]
    public async Task The_filter_matches_origin_and_name_ignoring_case()
    {
        LeaderboardTable external = await TableAsync("", filter: "EXTERNAL");
        Assert.Equal([Name("big")], external.Rows.Where(r => r.DisplayName.StartsWith(_tag)).Select(r => r.DisplayName));
        LeaderboardTable byName = await TableAsync("", filter: $"{_tag.ToUpperInvariant()} small");
        Assert.Equal([Name("small")], byName.Rows.Select(r => r.DisplayName));
    }

    [Fact]
    public async Task The_csv_export_quotes_fields_and_gives_results_in_percent()
    {
        HttpResponseMessage response = await idle.Anonymous.GetAsync($"/api/leaderboard?scope=synthetic&format=csv&sort=name&desc=false&filter={_tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        List<string[]> rows = Csv.Parse(await response.Content.ReadAsStringAsync());
        string[] header = rows[0];
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        int lfw = Array.IndexOf(header, "synth_lfw accuracy (%)");
        int cfp = Array.IndexOf(header, "synth_cfp_fp accuracy (%)");
        int flops = Array.IndexOf(header, "mflops");
        Assert.True(lfw > 0 && cfp > 0 && flops > 0, string.Join(" | ", header));
        string[] big = rows.Single(r => r[0] == Name("big"));
        Assert.Equal("90", big[lfw]);
        Assert.Equal("70", big[cfp]);
        Assert.Equal("external", big[Array.IndexOf(header, "origin")]);
        Assert.Equal("3000000", big[Array.IndexOf(header, "parameters")]);
        Assert.Equal("900", big[flops]);
        string[] mid = rows.Single(r => r[0] == Name("mid, \"quoted\""));
        Assert.Equal("", mid[lfw]);
        Assert.Equal("75", mid[cfp]);
        string[] small = rows.Single(r => r[0] == Name("small"));
        Assert.Equal("", small[flops]);
    }

    private string Name(string label) => $"{_tag} {label}";

    private async Task<string[]> OrderAsync(string query) =>
        (await TableAsync(query)).Rows.Select(r => r.DisplayName[(_tag.Length + 1)..].Split(',')[0]).ToArray();

    private async Task<LeaderboardTable> TableAsync(string query, string? filter = null)
    {
        string url = $"/api/leaderboard?scope=synthetic&filter={Uri.EscapeDataString(filter ?? _tag)}{(query.Length > 0 ? "&" + query : "")}";
        return (await idle.Anonymous.GetFromJsonAsync<LeaderboardTable>(url, ApiJson.Options))!;
    }

    private async Task SeedAsync(string label, ModelOrigin origin, long parameters, double? megaFlops, params (string Benchmark, double Value, DateTime Time)[] results)
    {
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        var model = new ModelRecord
        {
            Name = $"{_tag}-{ModelStoreSlug(label)}", DisplayName = Name(label), Origin = origin, Architecture = "PocketNet",
            Parameters = parameters, MegaFlops = megaFlops, EmbeddingSize = 128, CreatedAt = DateTime.UtcNow,
        };
        foreach (var (benchmark, value, time) in results)
            model.Results.Add(new ResultRecord
            {
                Benchmark = benchmark, DisplayName = benchmark, Protocol = "Pairs", Synthetic = true, Metric = "accuracy",
                Value = value, Runtime = "libtorch", CreatedAt = time,
            });
        db.Models.Add(model);
        await db.SaveChangesAsync();
        _models.Add(model.Id);
    }

    private static string ModelStoreSlug(string label) => PocketNet.Portal.Catalog.ModelStore.Slug(label);
}
