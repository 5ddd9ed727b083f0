namespace PocketNet.Onnx.Analysis;

/// <summary>
/// Size of an ONNX model read from its graph (see <see cref="OnnxGraphAnalysis"/>).
/// </summary>
/// <param name="Parameters">
/// Elements of the graph's floating-point initializers. Whatever the graph stores counts: a model exported with
/// batch norms folded holds each folded norm as the convolution's bias (C values instead of the 2C trainable
/// gamma/beta), one with BatchNormalization nodes also stores their running mean and variance (2C more than the
/// trainable count), and float constants (Clip bounds) count too.
/// </param>
/// <param name="Flops">
/// FLOPs of one image (batch 1) by the PocketNet paper's rules; null when the graph has an operator the analysis
/// does not know or a shape it cannot infer (see <paramref name="UnknownOperators"/>): then nothing is guessed.
/// Folded batch norms are not counted (they are part of the convolution), a folded convolution's bias is.
/// </param>
/// <param name="InputShape">The image input's dimensions (-1 for a symbolic one).</param>
/// <param name="UnknownOperators">Operators outside the supported set, or whose shapes could not be inferred.</param>
/// <param name="Metadata">The model's metadata_props (our exports write Export.OnnxMetadataKeys: the trainable parameter count among them).</param>
public sealed record OnnxModelComplexity(long Parameters, long? Flops, IReadOnlyList<long> InputShape, IReadOnlyList<string> UnknownOperators,
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    public double? MegaFlops => Flops / 1e6;
}
