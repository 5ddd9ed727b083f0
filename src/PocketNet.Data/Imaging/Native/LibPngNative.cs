using System.Runtime.InteropServices;
using System.Text;

namespace PocketNet.Data.Imaging.Native;

/// <summary>libpng 1.6's simplified API (png.h, "png_image"), the subset we use.</summary>
internal static unsafe partial class LibPngNative
{
    static LibPngNative() => NativeCodecLibraries.EnsureRegistered();

    public const uint ImageVersion = 1; // PNG_IMAGE_VERSION

    // PNG_FORMAT_*: 8-bit, no alpha, RGB order.
    public const uint FormatGray = 0;
    public const uint FormatRgb = 2;
    public const uint FormatFlagColor = 2;

    /// <summary>
    /// Mirror of <c>png_image</c>: the field order and sizes must match the C struct exactly
    /// (pointer, seven png_uint_32, char[64]; 104 bytes on 64-bit).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PngImage
    {
        public IntPtr Opaque;
        public uint Version;
        public uint Width;
        public uint Height;
        public uint Format;
        public uint Flags;
        public uint ColormapEntries;
        public uint WarningOrError;
        public fixed byte Message[64];

        /// <summary>PNG_IMAGE_FAILED: the low two bits above 1 mean an error.</summary>
        public readonly bool Failed => (WarningOrError & 3) > 1;

        public string MessageText()
        {
            fixed (byte* text = Message)
            {
                var span = new ReadOnlySpan<byte>(text, 64);
                int end = span.IndexOf((byte)0);
                string message = Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
                return message.Length == 0 ? "unknown libpng error" : message;
            }
        }
    }

    [LibraryImport(NativeCodecLibraries.Png, EntryPoint = "png_image_begin_read_from_memory")]
    public static partial int BeginReadFromMemory(PngImage* image, byte* memory, nuint size);

    [LibraryImport(NativeCodecLibraries.Png, EntryPoint = "png_image_finish_read")]
    public static partial int FinishRead(PngImage* image, void* background, byte* buffer, int rowStride, void* colormap);

    [LibraryImport(NativeCodecLibraries.Png, EntryPoint = "png_image_write_to_memory")]
    public static partial int WriteToMemory(PngImage* image, byte* memory, nuint* memoryBytes, int convertTo8Bit,
        byte* buffer, int rowStride, void* colormap);

    [LibraryImport(NativeCodecLibraries.Png, EntryPoint = "png_image_free")]
    public static partial void Free(PngImage* image);
}
