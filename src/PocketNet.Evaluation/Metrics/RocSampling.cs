namespace PocketNet.Evaluation.Metrics;

/// <summary>Thinning of long ROC curves for plots with a logarithmic FAR axis.</summary>
public static class RocSampling
{
    /// <summary>
    /// Indices (ascending, distinct, at most <paramref name="maxPoints"/>) of a curve of
    /// <paramref name="count"/> points whose FAR never decreases with the index: the first and the last
    /// point, the last point at FAR 0 (the highest TAR reached without any false accept), and for each of
    /// <c>maxPoints - 3</c> FAR values spaced evenly in log10 between the smallest non-zero FAR and the
    /// largest, the last point at or below it (the upper corner of the ROC staircase there).
    /// </summary>
    public static int[] LogSpacedIndices(int count, Func<int, double> far, int maxPoints)
    {
        if (maxPoints < 3) throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "at least 3 points");
        if (count <= maxPoints) return Enumerable.Range(0, count).ToArray();

        var chosen = new SortedSet<int> { 0, count - 1 };
        int lastZero = LastAtOrBelow(count, far, 0);
        if (lastZero >= 0) chosen.Add(lastZero);
        int firstPositive = lastZero + 1;
        if (firstPositive < count)
        {
            double low = Math.Log10(far(firstPositive)), high = Math.Log10(far(count - 1));
            int grid = maxPoints - 3;
            for (int i = 0; i < grid; i++)
            {
                double value = grid == 1 ? Math.Pow(10, high) : Math.Pow(10, low + (high - low) * i / (grid - 1));
                // Guard against pow/log round-off at the two ends of the grid.
                if (i == 0) value = far(firstPositive);
                if (i == grid - 1) value = far(count - 1);
                int index = LastAtOrBelow(count, far, value);
                if (index >= 0) chosen.Add(index);
            }
        }
        return chosen.ToArray();
    }

    /// <summary>The last index whose FAR is at most <paramref name="value"/>, or -1 (binary search).</summary>
    private static int LastAtOrBelow(int count, Func<int, double> far, double value)
    {
        int lo = 0, hi = count; // first index with far > value lies in [lo, hi]
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (far(mid) <= value) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }
}
