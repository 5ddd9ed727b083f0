using System.Runtime.InteropServices;
using PocketNet.Data.Imaging.Native;

namespace PocketNet.Data.Imaging;

/// <summary>
/// Decodes JPEG (libjpeg-turbo, TurboJPEG API) and PNG (libpng simplified API) images held in memory, the
/// format sniffed from the magic bytes. Every failure is an <see cref="InvalidDataException"/> that names the
/// source (a file, or a record of a file) and carries the codec's own message. Thread-safe.
/// </summary>
public static unsafe class ImageDecoder
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // TurboJPEG instances are not thread-safe and are worth reusing, so one per decoding thread.
    [ThreadStatic] private static TurboJpegHandle? t_decompressor;

    /// <summary>The format the leading bytes announce, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return ImageFormat.Jpeg;
        if (bytes.StartsWith(PngSignature)) return ImageFormat.Png;
        return ImageFormat.Unknown;
    }

    /// <summary>Reads the size and native channel count from the header without decoding pixels.</summary>
    public static ImageInfo Identify(ReadOnlySpan<byte> bytes, string sourceName) => DetectFormat(bytes) switch
    {
        ImageFormat.Jpeg => IdentifyJpeg(bytes, sourceName),
        ImageFormat.Png => IdentifyPng(bytes, sourceName),
        _ => throw NotAnImage(bytes, sourceName),
    };

    /// <summary>
    /// Decodes to a new <see cref="Image"/> with the image's own channel count (gray stays 1 channel unless
    /// <paramref name="expandToRgb"/>; an alpha channel is composited onto black).
    /// </summary>
    public static Image Decode(ReadOnlySpan<byte> bytes, string sourceName, bool expandToRgb = false)
    {
        ImageInfo info = Identify(bytes, sourceName);
        int channels = expandToRgb ? 3 : info.Channels;
        var image = new Image(info.Width, info.Height, channels);
        DecodeInto(bytes, sourceName, info, image.Pixels, channels);
        return image;
    }

    /// <summary>
    /// Decodes into caller-owned memory (a pooled buffer, say) as HWC bytes with <paramref name="channels"/>
    /// = 1 (gray) or 3 (RGB), converting as needed. <paramref name="destination"/> must hold at least
    /// width x height x channels bytes; returns the header information.
    /// </summary>
    public static ImageInfo DecodeInto(ReadOnlySpan<byte> bytes, string sourceName, Span<byte> destination, int channels)
    {
        ImageInfo info = Identify(bytes, sourceName);
        DecodeInto(bytes, sourceName, info, destination, channels);
        return info;
    }

    private static void DecodeInto(ReadOnlySpan<byte> bytes, string sourceName, ImageInfo info, Span<byte> destination, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");
        long needed = (long)info.Width * info.Height * channels;
        if (destination.Length < needed)
            throw new ArgumentException($"{sourceName}: a {info.Width}x{info.Height}x{channels} image needs {needed} bytes, the buffer has {destination.Length}", nameof(destination));
        if (info.Format == ImageFormat.Jpeg) DecodeJpeg(bytes, sourceName, info, destination, channels);
        else DecodePng(bytes, sourceName, destination, channels);
    }

    private static TurboJpegHandle Decompressor => t_decompressor ??= TurboJpegHandle.CreateDecompressor();

    private static ImageInfo IdentifyJpeg(ReadOnlySpan<byte> bytes, string sourceName)
    {
        IntPtr handle = Decompressor.DangerousGetHandle();
        int width, height, subsampling, colorspace;
        fixed (byte* source = bytes)
        {
            int status = TurboJpegNative.DecompressHeader3(handle, source, new CULong((nuint)bytes.Length),
                &width, &height, &subsampling, &colorspace);
            if (status != 0) ThrowUnlessBenign(handle, sourceName);
        }
        if (width <= 0 || height <= 0) throw new InvalidDataException($"{sourceName}: JPEG header gives an empty size {width}x{height}");
        return new ImageInfo(width, height, colorspace == TurboJpegNative.ColorspaceGray ? 1 : 3, ImageFormat.Jpeg);
    }

    private static void DecodeJpeg(ReadOnlySpan<byte> bytes, string sourceName, ImageInfo info, Span<byte> destination, int channels)
    {
        IntPtr handle = Decompressor.DangerousGetHandle();
        int format = channels == 3 ? TurboJpegNative.PixelRgb : TurboJpegNative.PixelGray;
        fixed (byte* source = bytes)
        fixed (byte* target = destination)
        {
            // Flags 0: accurate integer DCT and smooth upsampling, libjpeg's defaults (what PIL and OpenCV decode with).
            int status = TurboJpegNative.Decompress2(handle, source, new CULong((nuint)bytes.Length), target,
                info.Width, info.Width * channels, info.Height, format, 0);
            if (status != 0) ThrowUnlessBenign(handle, sourceName);
        }
    }

    /// <summary>
    /// TurboJPEG reports libjpeg warnings as failures too. A truncated or damaged entropy stream is only a
    /// warning to libjpeg (it fills the rest with gray), but for training data that is a broken image, so
    /// warnings are errors, except those that leave every pixel intact (stray bytes between markers, an
    /// unknown JFIF revision, odd Adobe/ICC markers), which real datasets do contain.
    /// </summary>
    private static void ThrowUnlessBenign(IntPtr handle, string sourceName)
    {
        string message = TurboJpegNative.ErrorMessage(handle);
        bool warning = TurboJpegNative.GetErrorCode(handle) == TurboJpegNative.ErrorWarning;
        if (warning && IsBenignWarning(message)) return;
        // After an error TurboJPEG 2.x can leave the instance mid-header (tjDecompressHeader3 skips its
        // abort on failure), which would garble the next image on this thread: start afresh.
        DiscardDecompressor();
        throw new InvalidDataException($"{sourceName}: cannot decode JPEG: {message}");
    }

    private static void DiscardDecompressor()
    {
        t_decompressor?.Dispose();
        t_decompressor = null;
    }

    private static bool IsBenignWarning(string message) =>
        message.Contains("extraneous bytes before marker", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("unknown JFIF revision", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("Unknown Adobe color transform", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("bad ICC marker", StringComparison.OrdinalIgnoreCase);

    private static ImageInfo IdentifyPng(ReadOnlySpan<byte> bytes, string sourceName)
    {
        var image = new LibPngNative.PngImage { Version = LibPngNative.ImageVersion };
        fixed (byte* source = bytes)
        {
            try
            {
                if (LibPngNative.BeginReadFromMemory(&image, source, (nuint)bytes.Length) == 0 || image.Failed)
                    throw new InvalidDataException($"{sourceName}: cannot decode PNG: {image.MessageText()}");
                if (image.Width == 0 || image.Height == 0 || image.Width > int.MaxValue || image.Height > int.MaxValue)
                    throw new InvalidDataException($"{sourceName}: PNG header gives an unusable size {image.Width}x{image.Height}");
                int channels = (image.Format & LibPngNative.FormatFlagColor) != 0 ? 3 : 1;
                return new ImageInfo((int)image.Width, (int)image.Height, channels, ImageFormat.Png);
            }
            finally
            {
                LibPngNative.Free(&image);
            }
        }
    }

    private static void DecodePng(ReadOnlySpan<byte> bytes, string sourceName, Span<byte> destination, int channels)
    {
        var image = new LibPngNative.PngImage { Version = LibPngNative.ImageVersion };
        // libpng reads the memory lazily until finish_read returns, so the input stays pinned throughout.
        fixed (byte* source = bytes)
        fixed (byte* target = destination)
        {
            try
            {
                if (LibPngNative.BeginReadFromMemory(&image, source, (nuint)bytes.Length) == 0 || image.Failed)
                    throw new InvalidDataException($"{sourceName}: cannot decode PNG: {image.MessageText()}");
                // Removing an alpha channel without a background composites onto the buffer's contents: make that black.
                destination[..(int)(image.Width * image.Height * (uint)channels)].Clear();
                image.Format = channels == 3 ? LibPngNative.FormatRgb : LibPngNative.FormatGray;
                if (LibPngNative.FinishRead(&image, null, target, 0, null) == 0 || image.Failed)
                    throw new InvalidDataException($"{sourceName}: cannot decode PNG: {image.MessageText()}");
            }
            finally
            {
                LibPngNative.Free(&image);
            }
        }
    }

    private static InvalidDataException NotAnImage(ReadOnlySpan<byte> bytes, string sourceName)
    {
        string head = bytes.Length == 0 ? "it is empty" : "it starts with " + Convert.ToHexString(bytes[..Math.Min(8, bytes.Length)]);
        return new InvalidDataException($"{sourceName}: not a JPEG or PNG image ({bytes.Length} bytes; {head})");
    }
}
