using PocketNet.Torch;

namespace PocketNet.Distributed.Tests;

/// <summary>Compares how two runs moved the same initial weights.</summary>
public static class WeightChanges
{
    /// <summary>Per float32 tensor: |Δa - Δb| / |Δb| below <paramref name="tolerance"/>, where Δ is the change from <paramref name="initial"/>.</summary>
    public static void AssertSame(IReadOnlyDictionary<string, Tensor> initial, IReadOnlyDictionary<string, Tensor> a,
        IReadOnlyDictionary<string, Tensor> b, double tolerance)
    {
        using var scope = DisposeScope.Enter();
        int moved = 0;
        var errors = new List<string>();
        foreach (var (name, start) in initial)
        {
            if (start.DType != ScalarType.Float32) continue;
            Tensor changeA = a[name] - start, changeB = b[name] - start;
            double norm = changeB.Norm().Item();
            if (norm == 0) continue;
            moved++;
            double difference = (changeA - changeB).Norm().Item(), relative = difference / norm;
            // A change at float32's resolution of the stored weights (a bias whose gradient is zero up to rounding,
            // as a bias right before a batch norm) has no meaningful relative error.
            double resolution = 4 * Math.Pow(2, -23) * b[name].Norm().Item() + 1e-7 * Math.Sqrt(start.NumEl);
            if (relative >= tolerance && difference > resolution)
                errors.Add($"{name}: relative error of the weight change {relative:E2} (|change| {norm:E2}, |weights| {start.Norm().Item():E2})");
        }
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(moved > 20, $"only {moved} tensors changed");
    }
}
