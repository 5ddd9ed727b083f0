using System.Runtime.InteropServices;

namespace PocketNet.Torch.Native;

/// <summary>
/// glibc malloc tuning. libtorch's CPU allocator is plain malloc; by default glibc hands large freed blocks
/// back to the kernel, so every training step page-faults fresh zeroed pages in for its activations
/// (measured: 30k-90k faults and 15-20 % of a step, in PyTorch as in our engine; bench/RESULTS.md).
/// </summary>
internal static partial class GlibcMalloc
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    /// <summary>
    /// Keeps freed memory in the process: raises the mmap threshold (glibc caps it, 32 MiB on 64-bit) and
    /// switches trimming off. Both are needed: setting either one alone disables glibc's dynamic threshold
    /// and is worse than neither. Returns what glibc accepted; does nothing off glibc.
    /// </summary>
    public static string KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return "not glibc: unchanged";
        try
        {
            int mmap = 0;
            foreach (int candidate in new[] { 1 << 30, 512 << 20, 32 << 20 })
                if (MallOpt(MmapThreshold, candidate) == 1) { mmap = candidate; break; }
            bool trim = MallOpt(TrimThreshold, int.MaxValue) == 1;
            return $"M_MMAP_THRESHOLD={(mmap > 0 ? (mmap >> 20) + " MiB" : "rejected")}, M_TRIM_THRESHOLD={(trim ? "off" : "rejected")}";
        }
        catch (EntryPointNotFoundException)
        {
            return "not glibc: unchanged";
        }
    }
}
