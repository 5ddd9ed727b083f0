namespace PocketNet.Onnx.Export;

/// <summary>What an export wrote.</summary>
/// <param name="Path">The file written, or null when written to a stream.</param>
/// <param name="Bytes">Size of the serialised model.</param>
/// <param name="Operators">Node count per ONNX operator type.</param>
/// <param name="FoldedBatchNorms">Batch norms folded into a preceding Conv or Gemm.</param>
/// <param name="Metadata">The metadata_props written.</param>
public sealed record OnnxExportResult(
    string? Path,
    long Bytes,
    int Opset,
    int NodeCount,
    int InitializerCount,
    IReadOnlyDictionary<string, int> Operators,
    int FoldedBatchNorms,
    IReadOnlyDictionary<string, string> Metadata);
