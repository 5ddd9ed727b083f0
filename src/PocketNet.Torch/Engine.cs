using System.Runtime.InteropServices;
using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>Process-wide settings and facts of the engine: versions, devices, threads, seeding, autograd mode.</summary>
public static class Engine
{
    // ---- runtime ---------------------------------------------------------------------------------

    /// <summary>The version of the libtorch the engine was built against, e.g. "1.13.1".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.pn_version()) ?? "unknown";

    /// <summary>libtorch's own description of its thread pools and parallel backend.</summary>
    public static string ParallelInfo => Marshal.PtrToStringUTF8(NativeMethods.pn_parallel_info()) ?? "";

    /// <summary>Where the engine library was loaded from.</summary>
    public static string LibraryPath => NativeLibraryLoader.LibraryPath;

    public static int CudaDeviceCount
    {
        get
        {
            int count = NativeMethods.pn_cuda_device_count();
            NativeMethods.Check(count);
            return count;
        }
    }

    public static bool HasMkldnn => NativeMethods.pn_has_mkldnn() != 0;

    /// <summary>Intra-op threads libtorch uses for CPU kernels.</summary>
    public static int Threads
    {
        get => NativeMethods.pn_get_num_threads();
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            NativeMethods.pn_set_num_threads(value);
        }
    }

    /// <summary>OpenMP's wait policy for the intra-op threads and where it came from (see OpenMpPolicy).</summary>
    public static string OpenMpWaitPolicy
    {
        get
        {
            _ = NativeMethods.pn_get_num_threads(); // the policy is decided when the engine loads
            return OpenMpPolicy.Description;
        }
    }

    /// <summary>Waits for all queued work on a CUDA device (a no-op without CUDA work).</summary>
    public static void Synchronize(Device device)
    {
        if (device.IsCuda) NativeMethods.Check(NativeMethods.pn_cuda_synchronize(device.Index));
    }

    /// <summary>
    /// Asks glibc to keep freed memory in the process instead of returning it to the kernel after every
    /// step: resident memory then stays at the peak of a step (flat, not growing), and steps stop paying
    /// for tens of thousands of page faults. For long-running training and evaluation processes.
    /// Returns what glibc accepted.
    /// </summary>
    public static string KeepFreedMemory() => GlibcMalloc.KeepFreedMemory();

    /// <summary>Seeds the global generators of the CPU and of every CUDA device.</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.pn_manual_seed(seed);

    // ---- autograd mode ---------------------------------------------------------------------------

    public static bool IsGradEnabled => NativeMethods.pn_grad_enabled() != 0;

    /// <summary>Disables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Enables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>
    /// Runs operations on <paramref name="device"/>'s type in <paramref name="type"/> where libtorch's autocast lists
    /// them as safe (convolutions, matrix products), in float32 elsewhere (reductions, losses), until disposed.
    /// Parameters, gradients and checkpoints stay float32.
    /// </summary>
    public static AutocastScope Autocast(ScalarType type, Device device) => new(type, device);
}

/// <summary>Leaves autocast when disposed. Autocast scopes do not nest.</summary>
public readonly struct AutocastScope : IDisposable
{
    private readonly int _deviceType;

    internal AutocastScope(ScalarType type, Device device)
    {
        _deviceType = device.IsCuda ? 1 : 0;
        int previous = NativeMethods.pn_autocast(_deviceType, 1, (int)type);
        NativeMethods.Check(previous);
        if (previous == 1)
        {
            Dispose();
            throw new InvalidOperationException("autocast is already on for this thread: autocast scopes do not nest");
        }
    }

    public void Dispose() => NativeMethods.pn_autocast(_deviceType, 0, 0);
}
/// <summary>Restores the previous autograd mode of this thread when disposed.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;

    internal GradModeScope(bool enabled)
    {
        _previous = Engine.IsGradEnabled;
        NativeMethods.pn_set_grad_enabled(enabled ? 1 : 0);
    }

    public void Dispose() => NativeMethods.pn_set_grad_enabled(_previous ? 1 : 0);
}
