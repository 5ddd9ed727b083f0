using System.Text.Json.Serialization;
using PocketNet.Training.Options;

namespace PocketNet.Application.Evaluation;

/// <summary>
/// What runs the network during evaluation; results JSON and the store record it by its name (libtorch, onnx). A property
/// of this type names its converter itself: converters in a serializer's options (the API's enum converter) come before
/// the type's own.
/// </summary>
[JsonConverter(typeof(EvaluationNames.RuntimeJson))]
public enum EvaluationRuntime
{
    /// <summary>Our libtorch engine, on the model's device.</summary>
    Libtorch,

    /// <summary>ONNX Runtime (CPU; CUDA in the GPU build on a GPU device) on the model exported to ONNX, or on an external .onnx file.</summary>
    Onnx,
}

/// <summary>The names of the evaluation options that are enums: one table for the CLI, the REST API and the forms.</summary>
public static class EvaluationNames
{
    public static readonly OptionNames<EvaluationRuntime> Runtime = new("runtime",
        (EvaluationRuntime.Libtorch, "libtorch", ["torch", "pytorch"]),
        (EvaluationRuntime.Onnx, "onnx", ["onnxruntime", "ort"]));

    public sealed class RuntimeJson() : OptionNamesJsonConverter<EvaluationRuntime>(Runtime);

    /// <summary>The runtime's name as results and the store record it.</summary>
    public static string Name(this EvaluationRuntime runtime) => Runtime.NameOf(runtime);
}
