using System.Runtime.InteropServices;

namespace PocketNet.Data.Imaging.Native;

/// <summary>libjpeg-turbo's TurboJPEG C API (turbojpeg.h, 2.x), the subset we use.</summary>
internal static unsafe partial class TurboJpegNative
{
    static TurboJpegNative() => NativeCodecLibraries.EnsureRegistered();

    // enum TJPF
    public const int PixelRgb = 0;
    public const int PixelGray = 6;

    // enum TJSAMP
    public const int Sampling444 = 0;
    public const int Sampling422 = 1;
    public const int Sampling420 = 2;
    public const int SamplingGray = 3;

    // enum TJCS
    public const int ColorspaceGray = 2;
    public const int ColorspaceCmyk = 3;
    public const int ColorspaceYcck = 4;

    // enum TJERR
    public const int ErrorWarning = 0;

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjInitDecompress")]
    public static partial IntPtr InitDecompress();

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjInitCompress")]
    public static partial IntPtr InitCompress();

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjDestroy")]
    public static partial int Destroy(IntPtr handle);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjDecompressHeader3")]
    public static partial int DecompressHeader3(IntPtr handle, byte* jpegBuf, CULong jpegSize,
        int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjDecompress2")]
    public static partial int Decompress2(IntPtr handle, byte* jpegBuf, CULong jpegSize,
        byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjCompress2")]
    public static partial int Compress2(IntPtr handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjBufSize")]
    public static partial CULong BufSize(int width, int height, int jpegSubsamp);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjFree")]
    public static partial void Free(byte* buffer);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
    public static partial byte* GetErrorStr2(IntPtr handle);

    [LibraryImport(NativeCodecLibraries.TurboJpeg, EntryPoint = "tjGetErrorCode")]
    public static partial int GetErrorCode(IntPtr handle);

    /// <summary>The handle's last error text (TurboJPEG keeps it per handle, so this is thread-safe per handle).</summary>
    public static string ErrorMessage(IntPtr handle) =>
        Marshal.PtrToStringUTF8((IntPtr)GetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
