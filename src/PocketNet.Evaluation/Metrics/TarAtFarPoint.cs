namespace PocketNet.Evaluation.Metrics;

/// <summary>
/// The true-accept rate read off a ROC curve at a requested false-accept rate. All rates are fractions in
/// [0, 1] (not percent).
/// </summary>
/// <param name="TargetFar">The false-accept rate asked for (e.g. 1e-4).</param>
/// <param name="Far">
/// The false-accept rate of the ROC point the value was taken from: the nearest point for the IJB rule,
/// <paramref name="TargetFar"/> itself where the value is interpolated (MegaFace).
/// </param>
/// <param name="Tar">The true-accept rate reported for <paramref name="TargetFar"/>.</param>
/// <param name="Threshold">Decision threshold (score) of that ROC point: pairs scoring at least this much are accepted.</param>
public readonly record struct TarAtFarPoint(double TargetFar, double Far, double Tar, double Threshold);
