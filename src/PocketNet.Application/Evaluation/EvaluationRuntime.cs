namespace PocketNet.Application.Evaluation;

/// <summary>What runs the network during evaluation (the names the CLI takes and the results JSON records).</summary>
public static class EvaluationRuntime
{
    /// <summary>Our libtorch engine, on the model's device.</summary>
    public const string Libtorch = "libtorch";

    /// <summary>ONNX Runtime (CPU; CUDA in the GPU build on a GPU device) on the model exported to ONNX, or on an external .onnx file.</summary>
    public const string Onnx = "onnx";

    public static IReadOnlyList<string> All { get; } = [Libtorch, Onnx];

    public static string Parse(string name) =>
        All.FirstOrDefault(r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown runtime '{name}': use {string.Join(" or ", All)}");
}
