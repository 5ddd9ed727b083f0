using PocketNet.Data.Imaging;
using PocketNet.Evaluation.Identification;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Evaluation;

/// <summary>
/// Runs an embedding model over images in batches: lists of images, whole image sources (decoded ahead in
/// the background) or distractor streams. With flip augmentation each embedding is emb(image) + emb(mirrored
/// image), as the verification protocols prescribe; normalisation is left to the protocol. Safe to call from
/// any one thread at a time.
/// </summary>
public sealed class EmbeddingExtractor
{
    /// <summary>A libtorch backbone (eval mode, no gradients, on its device).</summary>
    public EmbeddingExtractor(Module<Tensor, Tensor> backbone, int batchSize = 64) : this(new TorchEmbeddingModel(backbone), batchSize)
    {
    }

    /// <summary>Any embedding model (e.g. an ONNX Runtime session).</summary>
    public EmbeddingExtractor(IEmbeddingModel model, int batchSize = 64)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        BatchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));
    }

    public IEmbeddingModel Model { get; }

    public int BatchSize { get; }

    /// <summary>Length of one embedding.</summary>
    public int Dimension => Model.Dimension;

    /// <summary>Embeddings [count][E] of images given as normalised CHW float arrays of one size.</summary>
    public float[][] Extract(IReadOnlyList<float[]> images, int imageSize, bool flip, CancellationToken cancellation = default,
        IProgress<double>? progress = null)
    {
        int pixels = 3 * imageSize * imageSize;
        var result = new float[images.Count][];
        var buffer = new float[BatchSize * pixels];
        var embeddings = new float[BatchSize * Dimension];
        for (int start = 0; start < images.Count; start += BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(BatchSize, images.Count - start);
            for (int i = 0; i < count; i++) images[start + i].CopyTo(buffer, i * pixels);
            EmbedBatch(buffer.AsSpan(0, count * pixels), count, imageSize, flip, embeddings);
            for (int i = 0; i < count; i++) result[start + i] = embeddings.AsSpan(i * Dimension, Dimension).ToArray();
            progress?.Report((double)(start + count) / images.Count);
        }
        return result;
    }

    /// <summary>Embeddings of every image of a source, row-major [Count x E]; decoding runs ahead in the background.</summary>
    public float[] Extract(IImageSource source, bool flip, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        var result = new float[(long)source.Count * Dimension];
        foreach (ImageBatch batch in ImageBatchReader.Read(source, BatchSize, cancellation: cancellation))
        {
            EmbedBatch(batch.Span, batch.Count, batch.ImageSize, flip, result.AsSpan(batch.Start * Dimension, batch.Count * Dimension));
            progress?.Report((double)(batch.Start + batch.Count) / source.Count);
        }
        return result;
    }

    /// <summary>Embeds <paramref name="count"/> CHW images into <paramref name="destination"/> (count x E values).</summary>
    public void EmbedBatch(ReadOnlySpan<float> images, int count, int imageSize, bool flip, Span<float> destination) =>
        Model.EmbedBatch(images, count, imageSize, flip, destination);

    /// <summary>Distractor features computed on demand, block by block, so a million images never sit in memory.</summary>
    public IFeatureSource AsFeatureSource(IImageSource source, bool flip) => new StreamedFeatures(this, source, flip);

    private sealed class StreamedFeatures(EmbeddingExtractor extractor, IImageSource source, bool flip) : IFeatureSource
    {
        private float[] _pixels = [];

        public int Dimension => extractor.Dimension;

        public long Count => source.Count;

        public void Read(long start, int count, Span<float> destination)
        {
            int length = 3 * source.ImageSize * source.ImageSize;
            for (int offset = 0; offset < count; offset += extractor.BatchSize)
            {
                int n = Math.Min(extractor.BatchSize, count - offset);
                if (_pixels.Length < n * length) _pixels = new float[n * length];
                ImageBatchReader.ReadInto(source, (int)(start + offset), n, _pixels.AsSpan(0, n * length));
                extractor.EmbedBatch(_pixels.AsSpan(0, n * length), n, source.ImageSize, flip,
                    destination.Slice(offset * extractor.Dimension, n * extractor.Dimension));
            }
        }
    }
}
