using PocketNet.Evaluation.Metrics;
using PocketNet.Evaluation.Verification;

namespace PocketNet.Evaluation.Identification;

/// <summary>
/// Outcome of MegaFace challenge 1 with one distractor set. Rates are fractions in [0, 1].
/// </summary>
/// <param name="Probes">Probe images.</param>
/// <param name="Identities">Probe identities.</param>
/// <param name="Distractors">Distractor images.</param>
/// <param name="Searches">Rank-1 trials: ordered pairs (probe, other image of its identity), one search each.</param>
/// <param name="Rank1Hits">Searches in which the identity's gallery image scored strictly above every distractor.</param>
/// <param name="Rank1IdentificationRate">Rank1Hits / Searches.</param>
/// <param name="GenuinePairs">Unordered same-identity probe pairs (the genuine scores of the verification ROC).</param>
/// <param name="ImpostorPairs">Probe x distractor pairs (the impostor scores).</param>
/// <param name="TarAtFar">TAR at each target FAR, interpolated as the devkit's plotting script does (see <see cref="MegaFaceProtocol"/>).</param>
/// <param name="Roc">
/// At most <see cref="MegaFaceOptions.MaxRocPoints"/> points for a log-FAR plot, FAR ascending: exact at small FAR
/// (from the kept top impostor scores), from a score histogram (thresholds at bin edges) beyond.
/// </param>
public sealed record MegaFaceResult(
    int Probes,
    int Identities,
    long Distractors,
    long Searches,
    long Rank1Hits,
    double Rank1IdentificationRate,
    long GenuinePairs,
    long ImpostorPairs,
    IReadOnlyList<TarAtFarPoint> TarAtFar,
    IReadOnlyList<RocPoint> Roc)
{
    /// <summary>TAR (fraction) at <paramref name="targetFar"/>, which must be one of the evaluated targets.</summary>
    public double TarAt(double targetFar)
    {
        foreach (var point in TarAtFar)
            if (point.TargetFar == targetFar) return point.Tar;
        throw new KeyNotFoundException($"FAR {targetFar:g} was not evaluated");
    }
}
