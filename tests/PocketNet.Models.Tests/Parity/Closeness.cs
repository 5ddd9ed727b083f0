namespace PocketNet.Models.Tests.Parity;

/// <summary>
/// Element-wise comparison of our tensors with PyTorch's: |ours - theirs| &lt;= atol + rtol·|theirs|
/// (numpy's allclose). Reports name, worst element and both values, so a failing parity test says
/// which tensor drifted and by how much.
/// </summary>
internal static class Closeness
{
    /// <summary>Null when every element is within tolerance, else a one-line description of the worst one.</summary>
    public static string? Check(string name, ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs, double atol, double rtol)
    {
        if (ours.Length != theirs.Length) return $"{name}: {ours.Length} elements here, {theirs.Length} in PyTorch";
        int worst = -1;
        double worstExcess = 0, maxDiff = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double diff = Math.Abs((double)ours[i] - theirs[i]);
            if (double.IsNaN(diff)) diff = double.PositiveInfinity; // NaN on either side is a mismatch
            maxDiff = Math.Max(maxDiff, diff);
            double excess = diff - (atol + rtol * Math.Abs((double)theirs[i]));
            if (excess > worstExcess) (worst, worstExcess) = (i, excess);
        }
        return worst < 0 ? null
            : $"{name}: element {worst} is {ours[worst]:g9} here, {theirs[worst]:g9} in PyTorch (max |diff| {maxDiff:g3}, atol {atol:g2}, rtol {rtol:g2})";
    }

    /// <summary>The largest |ours - theirs| / (atol + rtol·|theirs|): how much of the tolerance is used.</summary>
    public static double WorstFractionOfTolerance(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs, double atol, double rtol)
    {
        Assert.Equal(theirs.Length, ours.Length);
        double worst = 0;
        for (int i = 0; i < ours.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)ours[i] - theirs[i]) / (atol + rtol * Math.Abs((double)theirs[i])));
        return worst;
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
    {
        Assert.Equal(theirs.Length, ours.Length);
        double max = 0;
        for (int i = 0; i < ours.Length; i++) max = Math.Max(max, Math.Abs((double)ours[i] - theirs[i]));
        return max;
    }

    /// <summary>Fails with every mismatch found (up to 20 lines) rather than the first one only.</summary>
    public static void AssertNone(IReadOnlyCollection<string> failures, string context)
    {
        if (failures.Count == 0) return;
        Assert.Fail($"{context}: {failures.Count} mismatches\n{string.Join("\n", failures.Take(20))}" +
                    (failures.Count > 20 ? $"\n... and {failures.Count - 20} more" : ""));
    }
}
