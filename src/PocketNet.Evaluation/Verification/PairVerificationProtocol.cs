namespace PocketNet.Evaluation.Verification;

/// <summary>
/// The standard protocol of LFW-style pair sets (LFW, CFP-FP, CFP-FF, AgeDB-30, CALFW, CPLFW): embeddings
/// are L2-normalised, a pair's score is the squared Euclidean distance, pairs are split into 10
/// contiguous folds, and for each fold the threshold in {0, 0.01, ..., 3.99} that maximises accuracy on
/// the other nine folds (the first one on ties) is applied to it. Reported: mean and (population)
/// standard deviation of the ten fold accuracies.
/// </summary>
public static class PairVerificationProtocol
{
    public const int Folds = 10;

    /// <summary>Thresholds tried: 0 to 4 (exclusive) in steps of 0.01.</summary>
    public static IReadOnlyList<double> Thresholds { get; } = Enumerable.Range(0, 400).Select(i => i * 0.01).ToArray();

    /// <summary>Squared distances between the L2-normalised embeddings of each pair (images 2i and 2i+1).</summary>
    public static double[] Distances(IReadOnlyList<float[]> embeddings)
    {
        if (embeddings.Count % 2 != 0) throw new ArgumentException($"{embeddings.Count} embeddings cannot form pairs");
        var distances = new double[embeddings.Count / 2];
        for (int i = 0; i < distances.Length; i++)
        {
            float[] a = embeddings[2 * i], b = embeddings[2 * i + 1];
            double na = Norm(a), nb = Norm(b), sum = 0;
            for (int k = 0; k < a.Length; k++)
            {
                double d = a[k] / na - b[k] / nb;
                sum += d * d;
            }
            distances[i] = sum;
        }
        return distances;
    }

    public static PairVerificationResult Evaluate(string benchmark, IReadOnlyList<double> distances, IReadOnlyList<bool> isSame)
    {
        if (distances.Count != isSame.Count) throw new ArgumentException($"{distances.Count} scores for {isSame.Count} labels");
        if (distances.Count < Folds) throw new ArgumentException($"the 10-fold protocol needs at least {Folds} pairs, {benchmark} has {distances.Count}");
        var accuracies = new double[Folds];
        var thresholds = new double[Folds];
        foreach (var (fold, (start, end)) in FoldRanges(distances.Count).Select((r, i) => (i, r)))
        {
            double best = -1, bestThreshold = 0;
            foreach (double threshold in Thresholds)
            {
                double accuracy = Accuracy(distances, isSame, threshold, start, end, outside: true);
                if (accuracy > best) (best, bestThreshold) = (accuracy, threshold);
            }
            thresholds[fold] = bestThreshold;
            accuracies[fold] = Accuracy(distances, isSame, bestThreshold, start, end, outside: false);
        }
        double mean = accuracies.Average();
        double std = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / Folds);
        return new PairVerificationResult(benchmark, distances.Count, mean, std, accuracies, thresholds, Roc(distances, isSame));
    }

    /// <summary>Fold boundaries as scikit-learn's unshuffled KFold makes them: the first n mod 10 folds get one extra pair.</summary>
    public static IEnumerable<(int Start, int End)> FoldRanges(int count)
    {
        int start = 0;
        for (int fold = 0; fold < Folds; fold++)
        {
            int size = count / Folds + (fold < count % Folds ? 1 : 0);
            yield return (start, start + size);
            start += size;
        }
    }

    /// <summary>Fraction of pairs, inside [start, end) or outside it, classified correctly by "same iff distance &lt; threshold".</summary>
    private static double Accuracy(IReadOnlyList<double> distances, IReadOnlyList<bool> isSame, double threshold, int start, int end, bool outside)
    {
        int correct = 0, total = 0;
        for (int i = 0; i < distances.Count; i++)
        {
            if ((i >= start && i < end) == outside) continue;
            total++;
            if ((distances[i] < threshold) == isSame[i]) correct++;
        }
        return (double)correct / total;
    }

    /// <summary>TAR and FAR at each threshold of the grid, over all pairs.</summary>
    private static IReadOnlyList<RocPoint> Roc(IReadOnlyList<double> distances, IReadOnlyList<bool> isSame)
    {
        int positives = isSame.Count(s => s), negatives = isSame.Count - positives;
        return Thresholds.Select(t =>
        {
            int tp = 0, fp = 0;
            for (int i = 0; i < distances.Count; i++)
                if (distances[i] < t) { if (isSame[i]) tp++; else fp++; }
            return new RocPoint(t, negatives == 0 ? 0 : (double)fp / negatives, positives == 0 ? 0 : (double)tp / positives);
        }).ToList();
    }

    private static double Norm(float[] v)
    {
        double s = 0;
        foreach (float x in v) s += x * x;
        return Math.Max(Math.Sqrt(s), 1e-12);
    }
}
