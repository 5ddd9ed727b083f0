using System.Text.Json;
using PocketNet.Onnx.Runtime;
using PocketNet.Torch;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet doctor [--json]`: what the engine runs on — libtorch version, devices, threads, ONNX Runtime's version
/// and execution providers, and which native libraries were actually loaded (read from the process's memory map, so it cannot lie).
/// </summary>
public sealed class DoctorCommand : ICommand
{
    public string Name => "doctor";

    public string Summary => "libtorch and ONNX Runtime versions, devices, threads and the native libraries in use";

    public string Usage =>
        """
        pocketnet doctor [--json]
          --json               machine-readable output
        """;

    public int Run(string[] args, TextWriter output)
    {
        bool json = args.Contains("--json");
        if (args.Any(a => a != "--json")) throw new ArgumentException($"doctor takes only --json, not '{args.First(a => a != "--json")}'");

        // Loads ONNX Runtime first, so that its library is among the ones listed as loaded.
        string onnxRuntime = OnnxRuntime.Version;
        var report = new DoctorReport(
            LibtorchVersion: Engine.Version,
            EngineLibrary: Engine.LibraryPath,
            CudaDevices: Engine.CudaDeviceCount,
            DefaultDevice: Device.Default.ToString(),
            Threads: Engine.Threads,
            OpenMpWaitPolicy: Engine.OpenMpWaitPolicy,
            Mkldnn: Engine.HasMkldnn,
            NativeLibraries: LoadedNativeLibraries(),
            ParallelInfo: Engine.ParallelInfo.Trim(),
            OnnxRuntime: onnxRuntime,
            OnnxRuntimeProviders: OnnxRuntime.AvailableProviders);

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, PocketNet.Training.Progress.EventLog.IndentedJsonOptions));
            return 0;
        }
        output.WriteLine($"libtorch        {report.LibtorchVersion}");
        output.WriteLine($"engine library  {report.EngineLibrary}");
        output.WriteLine($"CUDA devices    {report.CudaDevices}");
        output.WriteLine($"default device  {report.DefaultDevice}");
        output.WriteLine($"CPU threads     {report.Threads} (of {Environment.ProcessorCount} cores; POCKETNET_THREADS sets them)");
        output.WriteLine($"OpenMP waiting  {report.OpenMpWaitPolicy}");
        output.WriteLine($"oneDNN (MKLDNN) {(report.Mkldnn ? "available" : "not available")}");
        output.WriteLine($"ONNX Runtime    {report.OnnxRuntime} ({string.Join(", ", report.OnnxRuntimeProviders)})");
        output.WriteLine("native libraries loaded:");
        foreach (string library in report.NativeLibraries) output.WriteLine($"  {library}");
        output.WriteLine("parallel backend:");
        foreach (string line in report.ParallelInfo.Split('\n')) output.WriteLine($"  {line.TrimEnd()}");
        return 0;
    }

    /// <summary>Shared objects of the engine's stack mapped into this process (Linux /proc/self/maps).</summary>
    private static IReadOnlyList<string> LoadedNativeLibraries()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return ["(no /proc/self/maps on this system)"];
        string[] interesting = ["pntorch", "torch", "c10", "cuda", "cudnn", "gomp", "dnnl", "openblas", "mkl", "onnxruntime"];
        return File.ReadLines(maps)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6 && parts[5].Contains(".so"))
            .Select(parts => parts[5])
            .Where(path => interesting.Any(name => Path.GetFileName(path).Contains(name, StringComparison.OrdinalIgnoreCase)))
            .Distinct()
            .Order()
            .ToList();
    }

    private sealed record DoctorReport(
        string LibtorchVersion,
        string EngineLibrary,
        int CudaDevices,
        string DefaultDevice,
        int Threads,
        string OpenMpWaitPolicy,
        bool Mkldnn,
        IReadOnlyList<string> NativeLibraries,
        string ParallelInfo,
        string OnnxRuntime,
        IReadOnlyList<string> OnnxRuntimeProviders);
}
