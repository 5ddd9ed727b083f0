namespace PocketNet.Evaluation.Verification;

/// <summary>Outcome of the 10-fold pair protocol; accuracies are fractions in [0, 1].</summary>
public sealed record PairVerificationResult(
    string Benchmark,
    int Pairs,
    double MeanAccuracy,
    double StdAccuracy,
    IReadOnlyList<double> FoldAccuracies,
    IReadOnlyList<double> FoldThresholds,
    IReadOnlyList<RocPoint> Roc)
{
    /// <summary>Mean threshold (squared distance of normalised embeddings) chosen across folds.</summary>
    public double MeanThreshold => FoldThresholds.Average();
}

/// <summary>One point of a ROC curve: at a decision threshold, the true- and false-accept rates.</summary>
public readonly record struct RocPoint(double Threshold, double FalseAcceptRate, double TrueAcceptRate);
