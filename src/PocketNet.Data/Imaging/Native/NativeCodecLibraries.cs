using System.Reflection;
using System.Runtime.InteropServices;

namespace PocketNet.Data.Imaging.Native;

/// <summary>
/// Finds the image codec libraries by their exact sonames rather than by whatever the loader happens to
/// pick up, and says which package to install when one is missing. Registered once for this assembly.
/// </summary>
internal static class NativeCodecLibraries
{
    /// <summary>Logical name used in the [LibraryImport] attributes for libjpeg-turbo's TurboJPEG API.</summary>
    public const string TurboJpeg = "pocketnet-turbojpeg";

    /// <summary>Logical name used in the [LibraryImport] attributes for libpng 1.6.</summary>
    public const string Png = "pocketnet-png16";

    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>Candidates and the package that provides them, per logical name.</summary>
    internal static (string[] Candidates, string Package) Describe(string logicalName) => logicalName switch
    {
        TurboJpeg when OperatingSystem.IsWindows() => (["turbojpeg.dll"], "libjpeg-turbo (turbojpeg.dll on PATH)"),
        TurboJpeg when OperatingSystem.IsMacOS() => (["libturbojpeg.0.dylib", "libturbojpeg.dylib"], "jpeg-turbo (Homebrew)"),
        TurboJpeg => (["libturbojpeg.so.0"], "the Debian package libturbojpeg0 (apt-get install libturbojpeg0)"),
        Png when OperatingSystem.IsWindows() => (["libpng16.dll"], "libpng 1.6 (libpng16.dll on PATH)"),
        Png when OperatingSystem.IsMacOS() => (["libpng16.16.dylib", "libpng16.dylib"], "libpng (Homebrew)"),
        Png => (["libpng16.so.16"], "the Debian package libpng16-16 (apt-get install libpng16-16)"),
        _ => throw new ArgumentOutOfRangeException(nameof(logicalName), logicalName, "not an image codec library"),
    };

    /// <summary>Installs the resolver; called from the static constructors of the binding classes.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeCodecLibraries).Assembly, Resolve);
            _registered = true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName is not (TurboJpeg or Png)) return IntPtr.Zero; // someone else's library: default probing
        var (candidates, package) = Describe(libraryName);
        return Load(candidates, package);
    }

    /// <summary>Loads the first candidate that exists; otherwise throws naming what to install.</summary>
    internal static IntPtr Load(IReadOnlyList<string> candidates, string package)
    {
        var failures = new List<string>();
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle)) return handle;
            failures.Add(candidate);
        }
        throw new DllNotFoundException(
            $"cannot load {string.Join(" or ", failures)}: install {package}");
    }
}
