using PocketNet.Data.Imaging;

namespace PocketNet.Data.Tests;

/// <summary>Deterministic test pictures.</summary>
internal static class TestImages
{
    /// <summary>Smooth gradients with a little seeded noise (compresses well, JPEG stays close).</summary>
    public static Image Smooth(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        var image = new Image(width, height, channels);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    image[y, x, c] = (byte)Math.Clamp(40 + x + y / 2 + 30 * c + seed % 50 + random.Next(3), 0, 255);
        return image;
    }

    /// <summary>Every byte random: the worst case for compressors, the best for exact lossless checks.</summary>
    public static Image Noise(int width, int height, int channels, int seed)
    {
        var image = new Image(width, height, channels);
        new Random(seed).NextBytes(image.Pixels);
        return image;
    }

    public static int MaxAbsDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        int max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
