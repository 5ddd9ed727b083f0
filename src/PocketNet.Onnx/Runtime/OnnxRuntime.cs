using Microsoft.ML.OnnxRuntime;

namespace PocketNet.Onnx.Runtime;

/// <summary>
/// ONNX Runtime as this build has it: the NuGet package Microsoft.ML.OnnxRuntime (CPU), or
/// Microsoft.ML.OnnxRuntime.Gpu.Linux (CUDA) when built with <c>-p:OnnxRuntimeGpu=true</c>; its native library comes
/// with the package. One process-wide environment, created on first use with logging at errors only (ONNX Runtime
/// warns about every node a provider leaves to the CPU, which is expected here and would flood job logs).
/// </summary>
public static class OnnxRuntime
{
    public const string CpuProvider = "CPUExecutionProvider";
    public const string CudaProvider = "CUDAExecutionProvider";

    private static readonly Lazy<OrtEnv> Environment = new(CreateEnvironment, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>ONNX Runtime's version string, e.g. "1.32.0".</summary>
    public static string Version => Environment.Value.GetVersionString();

    /// <summary>Execution providers compiled into this build, e.g. CPUExecutionProvider (and CUDAExecutionProvider in the GPU package).</summary>
    public static IReadOnlyList<string> AvailableProviders => Environment.Value.GetAvailableProviders();

    /// <summary>Ensures the environment exists before a session is made (sessions use the process-wide one).</summary>
    internal static void EnsureEnvironment() => _ = Environment.Value;

    private static OrtEnv CreateEnvironment()
    {
        if (OrtEnv.IsCreated) return OrtEnv.Instance();
        var options = new EnvironmentCreationOptions { logId = "PocketNet", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return OrtEnv.CreateInstanceWithOptions(ref options);
    }
}
