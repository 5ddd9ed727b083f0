namespace PocketNet.Application.Evaluation;

/// <summary>
/// Evaluate a stored model on benchmarks, as POST /api/evaluations, the evaluate form and a model page's Evaluate ask
/// for it; <see cref="Planning.JobPlanner"/> checks it when it is queued.
/// </summary>
public sealed record EvaluationRequest
{
    public required int ModelId { get; init; }
    public required IReadOnlyList<string> Benchmarks { get; init; }

    /// <summary>libtorch (our engine) or onnx (ONNX Runtime on the exported model); external models always run on onnx.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(EvaluationNames.RuntimeJson))]
    public EvaluationRuntime Runtime { get; init; } = EvaluationRuntime.Libtorch;

    public string Device { get; init; } = "auto";

    /// <summary>The queue to wait in (a worker serving it runs the job); default the one named after the device: cpu or cuda.</summary>
    public string? Queue { get; init; }
}
