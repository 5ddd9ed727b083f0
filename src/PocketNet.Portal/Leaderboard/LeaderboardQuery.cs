namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// How to cut the leaderboard: <see cref="Sort"/> is a benchmark name, "parameters", "flops" or "name" (benchmarks
/// sort best first, sizes smallest first); <see cref="Filter"/> matches name, architecture, training mode or data.
/// </summary>
public sealed record LeaderboardQuery(
    LeaderboardScope Scope = LeaderboardScope.Real,
    string? Sort = null,
    bool Descending = true,
    string? Filter = null,
    bool IncludeReference = true);
