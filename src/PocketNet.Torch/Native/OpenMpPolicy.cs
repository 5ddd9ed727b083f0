using System.Runtime.InteropServices;

namespace PocketNet.Torch.Native;

/// <summary>
/// OpenMP's wait policy for libtorch's intra-op threads. libgomp's default lets a thread that waits at the end
/// of a parallel region spin for a while before sleeping; on a busy host (other ranks, the web server, other
/// jobs) the spinning threads take the cores the working ones need and throughput collapses instead of
/// shrinking (measured on the 2-core machine: 0.4 images/s with 2 spinning threads against 4.0 with 1; see
/// bench/RESULTS.md). PASSIVE makes waiting threads sleep at once. libgomp reads the variable when it loads, and
/// .NET's Environment.SetEnvironmentVariable does not reach the C environment on Linux, so it is set with libc's
/// setenv just before the engine library (and with it libtorch and libgomp) is loaded. A value the user set wins;
/// OMP_WAIT_POLICY set empty gives libgomp's own default.
/// </summary>
internal static partial class OpenMpPolicy
{
    internal const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    internal const string Default = "PASSIVE";

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    /// <summary>Where the policy came from, for doctor: "PASSIVE (PocketNet's default)" or "ACTIVE (OMP_WAIT_POLICY)".</summary>
    internal static string Description { get; private set; } = "libgomp's default (spin, then sleep)";

    private static int _applied;

    internal static void ApplyBeforeEngineLoads()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _applied, 1) == 1) return;
        try
        {
            if (Read(WaitPolicyVariable) is { } chosen) // set empty: libgomp's own default (spin a while, then sleep)
            {
                Description = chosen.Length > 0 ? $"{chosen} ({WaitPolicyVariable} set by the user)" : $"libgomp's default ({WaitPolicyVariable} set empty by the user)";
                return;
            }
            SetEnv(WaitPolicyVariable, Default, overwrite: 0);
            Description = $"{Default} (PocketNet's default; set {WaitPolicyVariable}=ACTIVE to let threads spin)";
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    private static string? Read(string name) => Marshal.PtrToStringUTF8(GetEnv(name));
}
