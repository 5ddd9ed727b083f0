namespace PocketNet.Data.Imaging;

/// <summary>
/// Conversion of 8-bit HWC pixels to what the networks take: channel-first float RGB with each value mapped
/// to [-1, 1] as (x / 255 - 0.5) / 0.5, computed in float32 in that order so values equal torchvision's
/// ToTensor + Normalize(0.5, 0.5) bit for bit.
/// </summary>
public static class ModelInput
{
    private static readonly float[] Table = BuildTable();

    /// <summary>The normalised value of one 8-bit sample.</summary>
    public static float Normalize(byte value) => Table[value];

    /// <summary>
    /// Writes 3 x height x width floats (RGB planes) from <paramref name="pixels"/> (HWC, 1 or 3 channels;
    /// a gray image fills all three planes).
    /// </summary>
    public static void WriteChw(ReadOnlySpan<byte> pixels, int width, int height, int channels, Span<float> destination)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");
        int plane = width * height;
        if (pixels.Length < plane * channels)
            throw new ArgumentException($"{pixels.Length} bytes cannot hold a {width}x{height}x{channels} image", nameof(pixels));
        if (destination.Length < 3 * plane)
            throw new ArgumentException($"destination holds {destination.Length} floats, needs {3 * plane}", nameof(destination));

        float[] table = Table;
        Span<float> r = destination[..plane], g = destination.Slice(plane, plane), b = destination.Slice(2 * plane, plane);
        if (channels == 3)
        {
            for (int i = 0, j = 0; i < plane; i++, j += 3)
            {
                r[i] = table[pixels[j]];
                g[i] = table[pixels[j + 1]];
                b[i] = table[pixels[j + 2]];
            }
        }
        else
        {
            for (int i = 0; i < plane; i++) r[i] = table[pixels[i]];
            r.CopyTo(g);
            r.CopyTo(b);
        }
    }

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = (v / 255f - 0.5f) / 0.5f;
        return table;
    }
}
