namespace PocketNet.Data.Imaging;

/// <summary>
/// An 8-bit image in memory: <see cref="Channels"/> is 1 (gray) or 3 (RGB), pixels stored row-major,
/// interleaved (HWC), with no row padding.
/// </summary>
public sealed class Image
{
    /// <summary>A black image.</summary>
    public Image(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckedLength(width, height, channels)])
    {
    }

    /// <summary>Wraps <paramref name="pixels"/> (not copied), which must hold exactly width x height x channels bytes.</summary>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        long length = CheckedLength(width, height, channels);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != length)
            throw new ArgumentException($"{width}x{height}x{channels} image needs {length} bytes, got {pixels.Length}", nameof(pixels));
        (Width, Height, Channels, Pixels) = (width, height, channels, pixels);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>1 (gray) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>HWC bytes, <see cref="RowStride"/> per row.</summary>
    public byte[] Pixels { get; }

    public int RowStride => Width * Channels;

    public byte this[int y, int x, int channel]
    {
        get => Pixels[Offset(y, x, channel)];
        set => Pixels[Offset(y, x, channel)] = value;
    }

    public Span<byte> Row(int y) => Pixels.AsSpan(y * RowStride, RowStride);

    public Image Clone() => new(Width, Height, Channels, (byte[])Pixels.Clone());

    /// <summary>This image if it is RGB already, else a copy with the gray value in all three channels.</summary>
    public Image ToRgb()
    {
        if (Channels == 3) return this;
        var rgb = new Image(Width, Height, 3);
        for (int i = 0; i < Pixels.Length; i++)
        {
            byte v = Pixels[i];
            rgb.Pixels[3 * i] = v;
            rgb.Pixels[3 * i + 1] = v;
            rgb.Pixels[3 * i + 2] = v;
        }
        return rgb;
    }

    /// <summary>The model's input layout: 3 x H x W floats, RGB, (x / 255 - 0.5) / 0.5 (gray is replicated).</summary>
    public float[] ToModelInput()
    {
        var result = new float[3 * Width * Height];
        WriteModelInput(result);
        return result;
    }

    /// <inheritdoc cref="ToModelInput"/>
    public void WriteModelInput(Span<float> destination) =>
        ModelInput.WriteChw(Pixels, Width, Height, Channels, destination);

    private int Offset(int y, int x, int channel)
    {
        if ((uint)y >= (uint)Height || (uint)x >= (uint)Width || (uint)channel >= (uint)Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), $"({y}, {x}, {channel}) is outside a {Width}x{Height}x{Channels} image");
        return (y * Width + x) * Channels + channel;
    }

    private static int CheckedLength(int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (gray) or 3 (RGB)");
        long length = (long)width * height * channels;
        if (length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}x{channels} is too large");
        return (int)length;
    }
}
