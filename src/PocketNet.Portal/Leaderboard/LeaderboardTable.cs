using PocketNet.Data.Registry;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Leaderboard;

/// <summary>A column of the leaderboard: one benchmark and the metric it is ranked by.</summary>
public sealed record LeaderboardColumn(string Benchmark, string DisplayName, BenchmarkProtocol Protocol, string Metric, bool Synthetic);

/// <summary>
/// A model's newest result on one benchmark (fractions; <see cref="Std"/> over folds where there are folds), with the
/// metric as its source names it. <see cref="OtherMetric"/>: a published value measured by another metric than the
/// column's (the PocketNet paper's MegaFace TAR in the rank-1 column), shown but never ranked or charted against it.
/// </summary>
public sealed record LeaderboardCell(double Value, double? Std, string Runtime, DateTime Time, string? Metric = null, string? Note = null, bool OtherMetric = false);

/// <summary>
/// A row: a model, its size and provenance, and its cells by benchmark name. <see cref="Runtime"/> is what computed
/// the cells: "libtorch", "onnx" (ONNX Runtime) or "published"; on a table not split by runtime, the runtimes of its
/// cells joined by "+".
/// </summary>
public sealed record LeaderboardRow(
    int ModelId,
    string Name,
    string DisplayName,
    ModelOrigin Origin,
    string Runtime,
    string Architecture,
    long Parameters,
    double? MegaFlops,
    string? TrainingMode,
    string? TrainingData,
    bool SyntheticTraining,
    string? Source,
    IReadOnlyDictionary<string, LeaderboardCell> Cells,
    string? SourceUrl = null,
    string? Note = null,
    double? MegaMacs = null,
    double? LatencyMilliseconds = null,
    string? LatencyHost = null,
    Int8Comparison? Int8 = null)
{
    /// <summary>True for the paper's numbers (no weights behind them).</summary>
    public bool IsReference => Origin == ModelOrigin.Published;

    public double MegaParameters => Parameters / 1e6;
}

/// <summary>
/// An int8 row read against the float model it was quantised from: the change of every benchmark both have results on
/// (int8 minus float, as fractions) and the speed-up (the float model's latency over the int8 model's; only when the
/// same host timed both, since latency compares only within one host).
/// </summary>
public sealed record Int8Comparison(int FloatModelId, string FloatDisplayName, IReadOnlyDictionary<string, double> Changes, double? SpeedUp);

/// <summary>A leaderboard: its scope, its columns and its rows.</summary>
public sealed record LeaderboardTable(LeaderboardScope Scope, IReadOnlyList<LeaderboardColumn> Columns, IReadOnlyList<LeaderboardRow> Rows);
