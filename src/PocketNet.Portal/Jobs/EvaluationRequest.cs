namespace PocketNet.Portal.Jobs;

/// <summary>Evaluate a stored model on benchmarks (POST /api/evaluations and the evaluate form).</summary>
public sealed record EvaluationRequest
{
    public required int ModelId { get; init; }
    public required IReadOnlyList<string> Benchmarks { get; init; }

    /// <summary>libtorch (our engine) or onnx (ONNX Runtime on the exported model); external models always run on onnx.</summary>
    public string Runtime { get; init; } = "libtorch";

    public string Device { get; init; } = "auto";

    /// <summary>The queue to wait in (a worker serving it runs the job); default the one named after the device: cpu or cuda.</summary>
    public string? Queue { get; init; }
}
