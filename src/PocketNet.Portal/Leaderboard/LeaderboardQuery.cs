namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// How to cut the leaderboard: <see cref="Sort"/> is a benchmark name or one of
/// <see cref="LeaderboardService.FieldSortKeys"/> ("name", "parameters", "flops", "macs", "latency", "mode", "data");
/// <see cref="Filter"/> matches name, architecture, training mode or data.
/// </summary>
public sealed record LeaderboardQuery(
    LeaderboardScope Scope = LeaderboardScope.Real,
    string? Sort = null,
    bool Descending = true,
    string? Filter = null,
    bool IncludeReference = true);
