using PocketNet.Data.Imaging;
using PocketNet.Evaluation.Identification;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Evaluation;

/// <summary>
/// Runs a backbone over images in batches (eval mode, no gradients) on its device. With flip
/// augmentation each embedding is emb(image) + emb(mirrored image), as the verification protocols
/// prescribe; normalisation is left to the protocol. Safe to call from any one thread at a time.
/// </summary>
public sealed class EmbeddingExtractor(Module<Tensor, Tensor> backbone, int batchSize = 64)
{
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));

    private int _dimension;

    /// <summary>Length of one embedding (found by one forward pass of a blank image, the first time it is asked).</summary>
    public int Dimension => _dimension > 0 ? _dimension : _dimension = EmbeddingSizeOf(backbone);

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
    public void EmbedBatch(ReadOnlySpan<float> images, int count, int imageSize, bool flip, Span<float> destination)
    {
        bool wasTraining = backbone.IsTraining;
        backbone.Eval();
        try
        {
            using var noGrad = Engine.NoGrad();
            using var scope = DisposeScope.Enter();
            Device device = backbone.Parameters().First().Device;
            Tensor batch = Tensors.FromSpan(images, [count, 3, imageSize, imageSize], device);
            Tensor embeddings = backbone.Forward(batch);
            if (flip) embeddings = embeddings + backbone.Forward(batch.FlipHorizontal());
            embeddings.CopyTo(destination[..(count * Dimension)]);
        }
        finally
        {
            backbone.Train(wasTraining);
        }
    }

    /// <summary>Distractor features computed on demand, block by block, so a million images never sit in memory.</summary>
    public IFeatureSource AsFeatureSource(IImageSource source, bool flip) => new StreamedFeatures(this, source, flip);

    private static int EmbeddingSizeOf(Module<Tensor, Tensor> backbone)
    {
        bool wasTraining = backbone.IsTraining;
        backbone.Eval();
        try
        {
            using var noGrad = Engine.NoGrad();
            using var scope = DisposeScope.Enter();
            Tensor blank = Tensors.Zeros([1, 3, 112, 112], device: backbone.Parameters().First().Device);
            return (int)backbone.Forward(blank).Size(1);
        }
        finally
        {
            backbone.Train(wasTraining);
        }
    }

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
