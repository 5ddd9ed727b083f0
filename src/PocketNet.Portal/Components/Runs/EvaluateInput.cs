using PocketNet.Application.Evaluation;

namespace PocketNet.Portal.Components.Runs;

/// <summary>The evaluate form as posted: one stored model, benchmarks as Benchmarks[NAME]=true, a runtime and a device.</summary>
public sealed class EvaluateInput
{
    public int? ModelId { get; set; }
    public Dictionary<string, bool>? Benchmarks { get; set; }
    public string Runtime { get; set; } = EvaluationNames.Runtime.NameOf(EvaluationRuntime.Libtorch);
    public string Device { get; set; } = "auto";

    /// <summary>Empty: the queue named after the device.</summary>
    public string? Queue { get; set; }

    public EvaluationRequest ToRequest() => new()
    {
        ModelId = ModelId ?? throw new ArgumentException("model: choose a stored model to evaluate"),
        Benchmarks = (Benchmarks ?? []).Where(b => b.Value).Select(b => b.Key).Order(StringComparer.Ordinal).ToList(),
        Runtime = EvaluationNames.Runtime.Parse(Runtime),
        Device = Device,
        Queue = string.IsNullOrWhiteSpace(Queue) ? null : Queue.Trim(),
    };
}
