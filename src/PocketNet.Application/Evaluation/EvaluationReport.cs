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

/// <summary>A model's results on the benchmarks it was evaluated on, with its size.</summary>
public sealed record EvaluationReport(
    string Model,
    ModelConfig Config,
    string Weights,
    long Parameters,
    double MegaFlops,
    DateTimeOffset Time,
    IReadOnlyList<BenchmarkResult> Results);
