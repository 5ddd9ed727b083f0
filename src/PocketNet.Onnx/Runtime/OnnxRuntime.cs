using System.Runtime.InteropServices;

namespace PocketNet.Onnx.Runtime;

/// <summary>
/// The ONNX Runtime shared library, found by explicit path, never by luck:
/// <list type="number">
/// <item>the file (or folder) named by <c>POCKETNET_ONNXRUNTIME</c>, if set;</item>
/// <item><c>libonnxruntime.so.1</c> next to the application;</item>
/// <item><c>.tools/onnxruntime/libonnxruntime.so.1</c> in the application folder or any folder above it
/// (where <c>scripts/fetch-onnxruntime.sh</c> puts it in a checkout);</item>
/// <item>the system's library search path (LD_LIBRARY_PATH), as a GPU image with ONNX Runtime installed has it.</item>
/// </list>
/// It is loaded once per process with one process-wide OrtEnv, as ONNX Runtime recommends.
/// </summary>
public static unsafe class OnnxRuntime
{
    public const string EnvironmentVariable = "POCKETNET_ONNXRUNTIME";
    public const string FetchScript = "scripts/fetch-onnxruntime.sh";

    /// <summary>The version the fetch script installs (the API version bound here is this release's).</summary>
    public const string ExpectedVersion = "1.30.0";

    private const int LoggingLevelError = 3;
    private const int ArenaAllocator = 1, MemTypeDefault = 0;

    private static readonly Lazy<Loaded> State = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The library's file name on this platform.</summary>
    public static string LibraryFileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll" : OperatingSystem.IsMacOS() ? "libonnxruntime.1.dylib" : "libonnxruntime.so.1";

    /// <summary>Where the library was loaded from (loads it).</summary>
    public static string LibraryPath => State.Value.Path;

    /// <summary>ONNX Runtime's version string, e.g. "1.30.0" (loads the library).</summary>
    public static string Version => State.Value.Version;

    /// <summary>Execution providers this build of ONNX Runtime knows, e.g. CPUExecutionProvider (loads the library).</summary>
    public static IReadOnlyList<string> AvailableProviders
    {
        get
        {
            OrtApi api = Api;
            byte** names;
            int count;
            api.Check(api.GetAvailableProviders(&names, &count), "listing ONNX Runtime's execution providers");
            try
            {
                var result = new string[count];
                for (int i = 0; i < count; i++) result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
                return result;
            }
            finally
            {
                api.Check(api.ReleaseAvailableProviders(names, count), "releasing the provider list");
            }
        }
    }

    /// <summary>Whether the library loads; when not, <paramref name="problem"/> says why and how to get it.</summary>
    public static bool TryLoad(out string? problem)
    {
        try
        {
            _ = State.Value;
            problem = null;
            return true;
        }
        catch (OnnxRuntimeNotFoundException e)
        {
            problem = e.Message;
            return false;
        }
    }

    internal static OrtApi Api => State.Value.Api;
    internal static nint Env => State.Value.Env;
    internal static nint CpuMemoryInfo => State.Value.CpuMemoryInfo;
    internal static nint DefaultAllocator => State.Value.DefaultAllocator;

    private sealed record Loaded(string Path, string Version, OrtApi Api, nint Env, nint CpuMemoryInfo, nint DefaultAllocator);

    private static Loaded Load()
    {
        var (handle, path) = Open();
        nint getApiBase;
        try
        {
            getApiBase = NativeLibrary.GetExport(handle, "OrtGetApiBase");
        }
        catch (EntryPointNotFoundException e)
        {
            throw new OnnxRuntimeNotFoundException($"'{path}' is not ONNX Runtime (it has no OrtGetApiBase). {HowToGet()}", e);
        }
        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged<nint*>)getApiBase)();
        var getApi = (delegate* unmanaged<uint, nint*>)apiBase[0];
        var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
        string version = Marshal.PtrToStringUTF8((nint)getVersion()) ?? "unknown";
        nint* table = getApi(OrtApi.ApiVersion);
        if (table is null)
            throw new OnnxRuntimeNotFoundException(
                $"ONNX Runtime {version} at '{path}' does not offer C API version {OrtApi.ApiVersion}: PocketNet needs {ExpectedVersion} or later. {HowToGet()}");
        var api = new OrtApi(table);

        nint env, memoryInfo, allocator;
        fixed (byte* logId = "PocketNet"u8)
            api.Check(api.CreateEnv(LoggingLevelError, logId, &env), "creating the ONNX Runtime environment");
        api.Check(api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo), "describing CPU memory to ONNX Runtime");
        api.Check(api.GetAllocatorWithDefaultOptions(&allocator), "getting ONNX Runtime's default allocator");
        // The environment, memory info and library stay for the life of the process (ONNX Runtime's advice:
        // one environment per process; releasing it while sessions may exist would be unsafe).
        return new Loaded(path, version, api, env, memoryInfo, allocator);
    }

    private static (nint Handle, string Path) Open()
    {
        if (FindLibrary(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory) is { } file)
            return (LoadFile(file), file);
        if (NativeLibrary.TryLoad(LibraryFileName, out nint system)) return (system, LibraryFileName + " (system library path)");
        throw new OnnxRuntimeNotFoundException(
            $"ONNX Runtime ({LibraryFileName}) was not found next to the application, in a .tools/onnxruntime folder above it, " +
            $"or on the library path. {HowToGet()}");
    }

    /// <summary>
    /// The library file to load: the configured one (a file or a folder holding it; an error when it is not
    /// there), else the first that exists next to <paramref name="baseDirectory"/> or in a .tools/onnxruntime
    /// folder in it or above it; null when none does (then the system search path is tried).
    /// </summary>
    internal static string? FindLibrary(string? configured, string baseDirectory)
    {
        if (configured is { Length: > 0 })
        {
            string file = Directory.Exists(configured) ? Path.Combine(configured, LibraryFileName) : configured;
            if (!File.Exists(file))
                throw new OnnxRuntimeNotFoundException($"{EnvironmentVariable} is set to '{configured}', but there is no {LibraryFileName} there. {HowToGet()}");
            return Path.GetFullPath(file);
        }
        var candidates = new List<string> { Path.Combine(baseDirectory, LibraryFileName) };
        for (DirectoryInfo? folder = new(baseDirectory); folder is not null; folder = folder.Parent)
            candidates.Add(Path.Combine(folder.FullName, ".tools", "onnxruntime", LibraryFileName));
        return candidates.FirstOrDefault(File.Exists) is { } found ? Path.GetFullPath(found) : null;
    }

    private static nint LoadFile(string file)
    {
        try
        {
            return NativeLibrary.Load(file);
        }
        catch (DllNotFoundException e)
        {
            throw new OnnxRuntimeNotFoundException($"'{file}' could not be loaded: {e.Message}. {HowToGet()}", e);
        }
    }

    private static string HowToGet() =>
        $"Run {FetchScript} (it takes {LibraryFileName} from the npm package onnxruntime-node@{ExpectedVersion} into .tools/onnxruntime), " +
        $"or set {EnvironmentVariable} to the library's path.";
}
