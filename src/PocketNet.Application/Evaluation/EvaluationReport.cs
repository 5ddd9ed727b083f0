using PocketNet.Data.Registry;
using PocketNet.Evaluation.Identification;
using PocketNet.Evaluation.Templates;
using PocketNet.Evaluation.Verification;
using PocketNet.Models.Registry;

namespace PocketNet.Application.Evaluation;

/// <summary>
/// One benchmark's outcome. <see cref="Headline"/> is the number the leaderboard shows, as a fraction:
/// 10-fold accuracy for pair sets, TAR at FAR = 1e-4 for IJB, rank-1 identification rate for MegaFace.
/// </summary>
public sealed record BenchmarkResult(
    string Benchmark,
    string DisplayName,
    BenchmarkProtocol Protocol,
    bool Synthetic,
    string? StandsInFor,
    string HeadlineMetric,
    double Headline,
    double Seconds,
    PairVerificationResult? Pairs = null,
    IjbResult? Ijb = null,
    MegaFaceResult? MegaFace = null);

/// <summary>
/// A model's results on the benchmarks it was evaluated on, with its size. <see cref="Runtime"/> says what ran the
/// network (recorded by its name: libtorch or onnx). An <see cref="External"/> model is an ONNX file from elsewhere: it has no
/// registry <see cref="Config"/>, <see cref="Weights"/> is the .onnx file, its parameters are counted from the
/// graph's float initializers (a folded batch norm counts as the convolution's bias) and its FLOPs estimated from
/// the graph by the paper's rules, null when the graph holds an operator the estimate does not know.
/// </summary>
public sealed record EvaluationReport(
    string Model,
    ModelConfig? Config,
    string Weights,
    long Parameters,
    double? MegaFlops,
    DateTimeOffset Time,
    IReadOnlyList<BenchmarkResult> Results,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(EvaluationNames.RuntimeJson))] EvaluationRuntime Runtime = EvaluationRuntime.Libtorch,
    bool External = false);
