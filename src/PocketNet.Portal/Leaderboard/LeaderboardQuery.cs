namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// How to cut the leaderboard: <see cref="Sort"/> is a benchmark name or one of
/// <see cref="LeaderboardService.FieldSortKeys"/> ("name", "parameters", "flops", "macs", "latency", "mode", "data");
/// <see cref="Filter"/> matches name, architecture, training mode, data or runtime. <see cref="ByRuntime"/>: a row per
/// model and runtime, so a model evaluated by libtorch and by ONNX Runtime shows both (the leaderboard page and API);
/// without it a row per model holds each benchmark's newest result whatever its runtime (the chart's one point per model).
/// </summary>
public sealed record LeaderboardQuery(
    LeaderboardScope Scope = LeaderboardScope.Real,
    string? Sort = null,
    bool Descending = true,
    string? Filter = null,
    bool IncludeReference = true,
    bool ByRuntime = false);
