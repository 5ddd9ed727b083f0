using System.Reflection;
using System.Runtime.InteropServices;

namespace PocketNet.Torch.Native;

/// <summary>
/// Finds libpntorch by explicit path, never by luck: the PNTORCH_LIBRARY environment variable if set,
/// else the copy next to this assembly (the build puts it there). When loading fails the exception
/// says what is missing and which package provides it.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string EnvironmentVariable = "PNTORCH_LIBRARY";
    private static int _registered;

    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
    }

    /// <summary>The path the engine library is loaded from.</summary>
    internal static string LibraryPath =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } explicitPath
            ? explicitPath
            : Path.Combine(AppContext.BaseDirectory, "libpntorch.so");

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Library) return IntPtr.Zero;
        string path = LibraryPath;
        if (!File.Exists(path))
            throw new DllNotFoundException(
                $"The PocketNet engine library was not found at '{path}'. Build the solution (dotnet build), " +
                $"which compiles src/native with CMake, or set {EnvironmentVariable} to its path.");
        OpenMpPolicy.ApplyBeforeEngineLoads();
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"'{path}' could not be loaded: {e.Message}. It needs libtorch 1.13: install it with " +
                "'apt-get install libtorch-dev' (Debian), or put the CUDA libtorch's lib folder on LD_LIBRARY_PATH on a GPU host.",
                e);
        }
    }
}
