using PocketNet.Portal.Leaderboard;

namespace PocketNet.Portal.Api;

/// <summary>/api/leaderboard: the table as JSON or CSV, real and synthetic benchmarks apart. Open to everyone.</summary>
public static class LeaderboardApi
{
    public static void MapLeaderboardApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/leaderboard", GetAsync).WithTags("Leaderboard")
            .WithSummary("Models x benchmarks (fractions), a row per model and runtime (libtorch, onnx, published); scope=real|synthetic, sort=BENCHMARK|parameters|flops|macs|latency|name|mode|data, desc, filter, reference, format=json|csv");
    }

    private static async Task<IResult> GetAsync(LeaderboardService leaderboard, string? scope, string? sort, bool? desc, string? filter,
        bool? reference, string? format, CancellationToken cancellation)
    {
        LeaderboardScope parsed = scope?.ToLowerInvariant() switch
        {
            null or "" or "real" => LeaderboardScope.Real,
            "synthetic" or "synth" => LeaderboardScope.Synthetic,
            _ => throw new ArgumentException($"scope: '{scope}' is not real or synthetic"),
        };
        // An empty value (a form's unset select) means no choice, as it does for scope and format.
        if (sort is "") sort = null;
        if (sort is not null && !LeaderboardService.FieldSortKeys.Contains(sort) && leaderboard.Columns(parsed).All(c => c.Benchmark != sort))
            throw new ArgumentException($"sort: '{sort}' is not {string.Join(", ", LeaderboardService.FieldSortKeys)} or a benchmark of the {parsed.ToString().ToLowerInvariant()} leaderboard");
        // Without a direction each key sorts its natural way: benchmarks best first, sizes smallest first, text A to Z.
        bool descending = desc ?? (sort is not null && !LeaderboardService.FieldSortKeys.Contains(sort));
        LeaderboardTable table = await leaderboard.BuildAsync(new LeaderboardQuery(parsed, sort, descending, filter, reference ?? true, ByRuntime: true), cancellation);
        return format?.ToLowerInvariant() switch
        {
            null or "" or "json" => Results.Ok(table),
            "csv" => Results.Text(LeaderboardCsv.Write(table), "text/csv; charset=utf-8"),
            _ => throw new ArgumentException($"format: '{format}' is not json or csv"),
        };
    }
}
