namespace PocketNet.Evaluation;

/// <summary>
/// A face embedding network as the protocols see it, whatever runs it (our libtorch engine, ONNX Runtime):
/// images in, one embedding per image out. <see cref="EmbeddingExtractor"/> does the batching and streaming over it.
/// </summary>
public interface IEmbeddingModel
{
    /// <summary>Length of one embedding.</summary>
    int Dimension { get; }

    /// <summary>
    /// Embeds <paramref name="count"/> CHW images (3 x imageSize x imageSize, normalised to [-1, 1]) into the first
    /// count x <see cref="Dimension"/> values of <paramref name="destination"/>. With <paramref name="flip"/> each
    /// embedding is emb(image) + emb(horizontally mirrored image); normalisation is left to the protocol.
    /// </summary>
    void EmbedBatch(ReadOnlySpan<float> images, int count, int imageSize, bool flip, Span<float> destination);
}
