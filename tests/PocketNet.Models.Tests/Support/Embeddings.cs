namespace PocketNet.Models.Tests.Support;

public static class Embeddings
{
    /// <summary>
    /// Asserts our embeddings equal PyTorch's: within 1e-4 of each value, relative to the largest when it exceeds 1.
    /// The parity weights keep activations near unit scale, so a tiny reference would make the test vacuous: refused.
    /// </summary>
    public static void AssertClose(float[] reference, float[] ours)
    {
        Assert.Equal(reference.Length, ours.Length);
        double maxDiff = ours.Zip(reference, (a, b) => Math.Abs((double)a - b)).Max();
        double scale = reference.Max(v => Math.Abs((double)v));
        Assert.InRange(scale, 0.1, 100);
        Assert.True(maxDiff < 1e-4 * Math.Max(1, scale), $"max |ours - PyTorch| = {maxDiff:g3} (max |output| {scale:g3})");
    }
}
