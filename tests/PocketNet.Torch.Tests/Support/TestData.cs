namespace PocketNet.Torch.Tests.Support;

internal static class TestData
{
    /// <summary>Deterministic pseudo-random values in [-1, 1) from a seed (independent of libtorch's generator).</summary>
    public static double[] Values(int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = random.NextDouble() * 2 - 1;
        return values;
    }

    public static float[] Floats(int count, int seed) => Array.ConvertAll(Values(count, seed), v => (float)v);

    public static Tensor Tensor(double[] values, params long[] shape) => Tensors.FromArray(values, shape);

    public static void AssertClose(double[] expected, double[] actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > tolerance * (1 + Math.Abs(expected[i])))
                Assert.Fail($"{what} element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
    }

    public static void AssertClose(float[] expected, float[] actual, double tolerance, string what = "") =>
        AssertClose(Array.ConvertAll(expected, v => (double)v), Array.ConvertAll(actual, v => (double)v), tolerance, what);
}
