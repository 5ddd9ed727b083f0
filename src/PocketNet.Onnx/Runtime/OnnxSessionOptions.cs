using PocketNet.Torch;

namespace PocketNet.Onnx.Runtime;

/// <summary>Where a session runs.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>ONNX Runtime's CPU kernels (always available).</summary>
    Cpu,

    /// <summary>
    /// NVIDIA GPUs through ONNX Runtime's CUDA provider: only in a build with <c>-p:OnnxRuntimeGpu=true</c>
    /// (Microsoft.ML.OnnxRuntime.Gpu.Linux) on a host with CUDA 12 and cuDNN 9; opening a session says so otherwise.
    /// </summary>
    Cuda,
}

/// <summary>ONNX Runtime's graph optimisation levels (GraphOptimizationLevel), by the names the CLI and settings take.</summary>
public enum GraphOptimizationLevel
{
    Disabled,
    Basic,
    Extended,
    All,
}

/// <summary>How an <see cref="OnnxSession"/> is opened (bound from settings too: Portal:OnnxRuntime).</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads across independent operators; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>All (the default) is the level that lays convolutions out in ONNX Runtime's blocked format (bench/RESULTS.md).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.All;

    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>The GPU for <see cref="OnnxExecutionProvider.Cuda"/>.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// When set, ONNX Runtime profiles every run of the session and writes a Chrome-trace JSON whose path starts with
    /// this (ONNX Runtime appends _DATE_TIME.json) when the session ends; see <see cref="OnnxSession.EndProfiling"/>.
    /// </summary>
    public string? ProfileOutputPrefix { get; init; }

    /// <summary>
    /// These options with the provider for <paramref name="device"/>, where evaluation runs: CUDA on cuda:N when this
    /// build of ONNX Runtime has the CUDA provider (the GPU package), the CPU otherwise (the CPU package on a GPU host
    /// evaluates as it always did; the evaluation reports which provider ran).
    /// </summary>
    public OnnxSessionOptions On(Device device) => device.IsCuda && OnnxRuntime.AvailableProviders.Contains(OnnxRuntime.CudaProvider)
        ? this with { ExecutionProvider = OnnxExecutionProvider.Cuda, CudaDeviceId = device.Index }
        : this with { ExecutionProvider = OnnxExecutionProvider.Cpu, CudaDeviceId = 0 };

    /// <summary>Reads an optimisation level as the CLI and the benchmark take it: all, extended, basic or disabled.</summary>
    public static GraphOptimizationLevel ParseLevel(string value) =>
        value.Length > 0 && value.All(char.IsLetter) && Enum.TryParse(value, ignoreCase: true, out GraphOptimizationLevel level)
            ? level
            : throw new ArgumentException($"unknown ONNX Runtime optimisation level '{value}' (all, extended, basic, disabled)");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (IntraOpThreads < 0) throw new ArgumentException($"ONNX Runtime intra-op threads must be 0 (automatic) or more, not {IntraOpThreads}");
        if (InterOpThreads < 0) throw new ArgumentException($"ONNX Runtime inter-op threads must be 0 (automatic) or more, not {InterOpThreads}");
        if (CudaDeviceId < 0) throw new ArgumentException($"the CUDA device must be 0 or more, not {CudaDeviceId}");
        if (!Enum.IsDefined(OptimizationLevel)) throw new ArgumentException($"unknown ONNX Runtime optimisation level {(int)OptimizationLevel}");
        if (ProfileOutputPrefix is { Length: 0 }) throw new ArgumentException("the ONNX Runtime profile prefix is empty");
    }
}
