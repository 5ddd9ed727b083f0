using PocketNet.Evaluation.Metrics;
using PocketNet.Evaluation.Verification;

namespace PocketNet.Evaluation.Templates;

/// <summary>
/// Outcome of IJB-B/C 1:1 template verification. Rates are fractions in [0, 1] (multiply by 100 for the
/// percentages of the papers' tables).
/// </summary>
/// <param name="Benchmark">Name, e.g. "IJB-C".</param>
/// <param name="Pairs">Number of template pairs scored.</param>
/// <param name="GenuinePairs">Pairs labelled same identity.</param>
/// <param name="ImpostorPairs">Pairs labelled different identities.</param>
/// <param name="TarAtFar">TAR at each target FAR (1e-6 ... 1e-1), read off the ROC by the reference's nearest-point rule.</param>
/// <param name="Auc">Area under the ROC curve (fraction).</param>
/// <param name="RocPoints">Total number of points of the exact ROC curve (before thinning for <paramref name="Roc"/>).</param>
/// <param name="Roc">At most ~1000 ROC points for plotting on a log FAR axis, FAR ascending.</param>
public sealed record IjbResult(
    string Benchmark,
    int Pairs,
    int GenuinePairs,
    int ImpostorPairs,
    IReadOnlyList<TarAtFarPoint> TarAtFar,
    double Auc,
    int RocPoints,
    IReadOnlyList<RocPoint> Roc)
{
    /// <summary>TAR (fraction) at <paramref name="targetFar"/>, which must be one of the evaluated targets.</summary>
    public double TarAt(double targetFar)
    {
        foreach (var point in TarAtFar)
            if (point.TargetFar == targetFar) return point.Tar;
        throw new KeyNotFoundException(
            $"FAR {targetFar:g} was not evaluated; evaluated: {string.Join(", ", TarAtFar.Select(p => p.TargetFar.ToString("g")))}");
    }
}
