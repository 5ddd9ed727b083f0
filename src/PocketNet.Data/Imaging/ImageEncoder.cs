using System.Runtime.InteropServices;
using System.Buffers;
using PocketNet.Data.Imaging.Native;

namespace PocketNet.Data.Imaging;

/// <summary>Encodes <see cref="Image"/>s as JPEG (TurboJPEG) or PNG (libpng), for dataset writers and generators. Thread-safe.</summary>
public static unsafe class ImageEncoder
{
    private const int NoRealloc = 1024; // TJFLAG_NOREALLOC: we hand TurboJPEG a buffer of tjBufSize bytes

    [ThreadStatic] private static TurboJpegHandle? t_compressor;

    /// <summary>
    /// Baseline JPEG at <paramref name="quality"/> (1..100). Gray images are written as grayscale JPEG;
    /// the subsampling applies to colour images.
    /// </summary>
    public static byte[] EncodeJpeg(Image image, int quality = 95, JpegSubsampling subsampling = JpegSubsampling.Yuv420)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality is 1..100");
        IntPtr handle = (t_compressor ??= TurboJpegHandle.CreateCompressor()).DangerousGetHandle();
        bool gray = image.Channels == 1;
        int sampling = gray ? TurboJpegNative.SamplingGray : (int)subsampling;
        int format = gray ? TurboJpegNative.PixelGray : TurboJpegNative.PixelRgb;

        // tjBufSize is TurboJPEG's worst case for these dimensions, so the encoder never needs to grow it.
        ulong capacity = TurboJpegNative.BufSize(image.Width, image.Height, sampling).Value;
        if (capacity == ulong.MaxValue || capacity > (ulong)Array.MaxLength) throw new ArgumentException($"{image.Width}x{image.Height} is too large to encode");
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)capacity);
        try
        {
            fixed (byte* pixels = image.Pixels)
            fixed (byte* target = buffer)
            {
                byte* output = target;
                var size = new CULong((nuint)buffer.Length);
                int status = TurboJpegNative.Compress2(handle, pixels, image.Width, image.RowStride, image.Height, format,
                    &output, &size, sampling, quality, NoRealloc);
                if (status != 0)
                {
                    string message = TurboJpegNative.ErrorMessage(handle);
                    t_compressor?.Dispose(); // a failed instance may keep state; the next call starts afresh
                    t_compressor = null;
                    throw new InvalidOperationException($"JPEG encoding of a {image.Width}x{image.Height} image failed: {message}");
                }
                if (output != target) // cannot happen with NOREALLOC, but never leak or misread
                {
                    TurboJpegNative.Free(output);
                    throw new InvalidOperationException("TurboJPEG reallocated a fixed output buffer");
                }
                return buffer.AsSpan(0, checked((int)size.Value)).ToArray();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Lossless 8-bit PNG (gray or RGB).</summary>
    public static byte[] EncodePng(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        // Raw size plus a filter byte per row plus headroom: zlib never expands data by much more than that.
        long guess = (long)image.Pixels.Length + image.Height + image.Pixels.Length / 64 + 1024;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(guess, Array.MaxLength));
        try
        {
            while (true)
            {
                var png = new LibPngNative.PngImage
                {
                    Version = LibPngNative.ImageVersion,
                    Width = (uint)image.Width,
                    Height = (uint)image.Height,
                    Format = image.Channels == 3 ? LibPngNative.FormatRgb : LibPngNative.FormatGray,
                };
                nuint size = (nuint)buffer.Length;
                int ok;
                fixed (byte* pixels = image.Pixels)
                fixed (byte* target = buffer)
                {
                    try
                    {
                        ok = LibPngNative.WriteToMemory(&png, target, &size, 0, pixels, image.RowStride, null);
                    }
                    finally
                    {
                        LibPngNative.Free(&png);
                    }
                }
                if (ok != 0) return buffer.AsSpan(0, checked((int)size)).ToArray();
                // Failure with a larger size reported means only that the buffer was too small.
                if (size <= (nuint)buffer.Length)
                    throw new InvalidOperationException($"PNG encoding of a {image.Width}x{image.Height} image failed: {png.MessageText()}");
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(checked((int)size));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Encodes in <paramref name="format"/> (JPEG at <paramref name="jpegQuality"/>).</summary>
    public static byte[] Encode(Image image, ImageFormat format, int jpegQuality = 95) => format switch
    {
        ImageFormat.Jpeg => EncodeJpeg(image, jpegQuality),
        ImageFormat.Png => EncodePng(image),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "can encode JPEG or PNG"),
    };

    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/>, the format chosen by the extension (.jpg, .jpeg, .png).</summary>
    public static void Save(Image image, string path, int jpegQuality = 95) =>
        File.WriteAllBytes(path, Encode(image, FormatForPath(path), jpegQuality));

    /// <summary>The format a file extension stands for (.jpg/.jpeg/.png, any case); Unknown otherwise.</summary>
    public static ImageFormat FormatForPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => ImageFormat.Jpeg,
        ".png" => ImageFormat.Png,
        _ => ImageFormat.Unknown,
    };
}
