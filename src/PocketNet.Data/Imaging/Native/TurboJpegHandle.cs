using Microsoft.Win32.SafeHandles;

namespace PocketNet.Data.Imaging.Native;

/// <summary>
/// A TurboJPEG instance. Instances are not thread-safe and cost a few KiB to create, so the codec keeps one
/// per thread; the SafeHandle's finalizer frees it when its thread is gone.
/// </summary>
internal sealed class TurboJpegHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private TurboJpegHandle(IntPtr handle) : base(ownsHandle: true) => SetHandle(handle);

    public static TurboJpegHandle CreateDecompressor() => Create(TurboJpegNative.InitDecompress(), "decompressor");

    public static TurboJpegHandle CreateCompressor() => Create(TurboJpegNative.InitCompress(), "compressor");

    private static TurboJpegHandle Create(IntPtr raw, string what) => raw == IntPtr.Zero
        ? throw new InvalidOperationException($"TurboJPEG could not create a {what} (out of memory?)")
        : new TurboJpegHandle(raw);

    protected override bool ReleaseHandle() => TurboJpegNative.Destroy(handle) == 0;
}
