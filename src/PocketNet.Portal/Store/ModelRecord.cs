namespace PocketNet.Portal.Store;

/// <summary>
/// A model the portal knows: its identity, size and provenance. The files (weights.safetensors + config.json,
/// or model.onnx for an external model) are in <see cref="Folder"/>, under the portal's home.
/// </summary>
public sealed class ModelRecord
{
    public int Id { get; set; }

    /// <summary>Unique, URL-safe name (e.g. "pocketnet-s-128-run-12").</summary>
    public required string Name { get; set; }

    public required string DisplayName { get; set; }
    public ModelOrigin Origin { get; set; }

    /// <summary>Architecture family: PocketNet, MobileFaceNet, IResNet, ... or "ONNX" for an external graph.</summary>
    public required string Architecture { get; set; }

    /// <summary>The registry ModelConfig as JSON (null for external and published models).</summary>
    public string? ConfigJson { get; set; }

    public string? Genotype { get; set; }
    public int EmbeddingSize { get; set; }
    public long Parameters { get; set; }

    /// <summary>MFLOPs of one 112x112 image as the paper counts them; null when unknown.</summary>
    public double? MegaFlops { get; set; }

    /// <summary>Millions of multiply-accumulates (convolutions and linear layers) of one 112x112 image; null when unknown.</summary>
    public double? MegaMacs { get; set; }

    /// <summary>Milliseconds per image at batch 1 (median of warm runs, ONNX Runtime) on the host that registered the model; null when not measured.</summary>
    public double? LatencyMilliseconds { get; set; }

    /// <summary>The CPU the latency was measured on (latency compares only within one host).</summary>
    public string? LatencyHost { get; set; }

    /// <summary>ArcFace, CosFace, Distillation, MultiStepDistillation, or free text for external models.</summary>
    public string? TrainingMode { get; set; }

    /// <summary>The training set's name (e.g. "SynthFaces", "MS1MV2").</summary>
    public string? TrainingData { get; set; }

    /// <summary>True when the model was trained on synthetic data.</summary>
    public bool SyntheticTraining { get; set; }

    public string? Folder { get; set; }
    public int? JobId { get; set; }

    /// <summary>For an int8 model (<see cref="ModelOrigin.Quantized"/>): the float model it was quantised from (null once that one is deleted).</summary>
    public int? QuantizedFromId { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Where the numbers come from (a citation for published rows).</summary>
    public string? Source { get; set; }

    /// <summary>A link to the source (published rows).</summary>
    public string? SourceUrl { get; set; }

    /// <summary>What a reader should know about the row's numbers: how they were counted, which source wins where sources disagree.</summary>
    public string? Note { get; set; }

    /// <summary>The admin's tags, normalised and comma-separated (see Annotations.Tags); null when none.</summary>
    public string? Tags { get; set; }

    /// <summary>The admin's free-text notes on the model (unlike <see cref="Note"/>, which explains a published row's numbers).</summary>
    public string? Notes { get; set; }

    public List<ResultRecord> Results { get; set; } = [];
}
