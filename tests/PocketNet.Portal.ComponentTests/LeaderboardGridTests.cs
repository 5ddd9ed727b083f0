using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Components.Results;
using PocketNet.Portal.Leaderboard;

namespace PocketNet.Portal.ComponentTests;

/// <summary>The leaderboard grid on the published reference rows a fresh portal loads: one row per model, the best of every column marked.</summary>
public sealed class LeaderboardGridTests : PortalComponentContext
{
    [Fact]
    public async Task Every_published_row_is_shown_and_each_benchmarks_best_value_is_marked()
    {
        LeaderboardService leaderboard = Portal.Services.GetRequiredService<LeaderboardService>();
        var state = new LeaderboardState(LeaderboardScope.Real, "lfw", Descending: true, Filter: null, IncludeReference: true);
        LeaderboardTable table = await leaderboard.BuildAsync(state.Query);
        Assert.True(table.Rows.Count >= 10, $"the published rows should be many; {table.Rows.Count}");

        var grid = Render<LeaderboardGrid>(p => p.Add(g => g.Table, table).Add(g => g.State, state));

        Assert.Equal(table.Rows.Count, grid.FindAll("#leaderboard tbody tr[data-model]").Count);
        Assert.Equal("descending", grid.Find("th[aria-sort='descending']").GetAttribute("aria-sort"));
        foreach (LeaderboardColumn column in table.Columns)
        {
            // A published value by another metric is no rival, and a column of one value has no best to point at.
            var values = table.Rows.Where(r => r.Cells.TryGetValue(column.Benchmark, out var c) && !c.OtherMetric)
                .Select(r => r.Cells[column.Benchmark].Value).ToList();
            if (values.Count < 2) continue;
            double best = values.Max();
            var winners = table.Rows.Where(r => r.Cells.TryGetValue(column.Benchmark, out var c) && !c.OtherMetric && c.Value == best).Select(r => r.ModelId).ToHashSet();
            var marked = grid.FindAll($"td.best[data-benchmark='{column.Benchmark}']")
                .Select(td => int.Parse(td.Closest("tr")!.GetAttribute("data-model")!)).ToHashSet();
            Assert.True(winners.SetEquals(marked), $"{column.Benchmark}: best {best} held by [{string.Join(", ", winners)}], marked [{string.Join(", ", marked)}]");
        }
    }
}
