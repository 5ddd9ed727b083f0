namespace PocketNet.Onnx.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a network.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The lowest opset the exporter writes: Clip and Slice take their bounds as inputs from here on.</summary>
    public const int MinimumOpset = 13;

    /// <summary>The highest opset the exporter writes (every operator it uses is unchanged up to it).</summary>
    public const int MaximumOpset = 21;

    /// <summary>ONNX default-domain opset; 17 by default (ONNX Runtime 1.30 and onnxruntime-web run it).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>
    /// When true (the default) the batch dimension of "input" and "embedding" is the symbolic "batch";
    /// when false it is fixed at <see cref="BatchSize"/> (for runtimes that want static shapes).
    /// </summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>The fixed batch size when <see cref="DynamicBatch"/> is false.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// When true (the default) batch norms are folded into the preceding Conv/Gemm, and the others become
    /// Mul + Add; when false every batch norm is written as an ONNX BatchNormalization node.
    /// </summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>The model_name metadata and graph name; default: the config's registry name or display name.</summary>
    public string? ModelName { get; init; }

    /// <summary>Extra metadata_props entries (they may not replace the exporter's own keys).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
