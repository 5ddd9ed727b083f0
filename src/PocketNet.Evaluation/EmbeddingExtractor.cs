using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Evaluation;

/// <summary>
/// Runs a backbone over images in batches (eval mode, no gradients) on its device. With flip
/// augmentation each embedding is emb(image) + emb(mirrored image), as the verification protocols
/// prescribe; normalisation is left to the protocol.
/// </summary>
public sealed class EmbeddingExtractor(Module<Tensor, Tensor> backbone, int batchSize = 64)
{
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));

    /// <summary>Embeddings [count, E] of images given as normalised CHW float arrays of one size.</summary>
    public float[][] Extract(IReadOnlyList<float[]> images, int imageSize, bool flip, CancellationToken cancellation = default,
        IProgress<double>? progress = null)
    {
        bool wasTraining = backbone.IsTraining;
        backbone.Eval();
        Device device = backbone.Parameters().First().Device;
        int pixels = 3 * imageSize * imageSize;
        var result = new float[images.Count][];
        var buffer = new float[BatchSize * pixels];
        try
        {
            using var noGrad = Engine.NoGrad();
            for (int start = 0; start < images.Count; start += BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(BatchSize, images.Count - start);
                for (int i = 0; i < count; i++) images[start + i].CopyTo(buffer, i * pixels);
                using var scope = DisposeScope.Enter();
                Tensor batch = Tensors.FromSpan<float>(buffer.AsSpan(0, count * pixels), [count, 3, imageSize, imageSize], device);
                Tensor embeddings = backbone.Forward(batch);
                if (flip) embeddings = embeddings + backbone.Forward(batch.FlipHorizontal());
                float[] flat = embeddings.ToArray<float>();
                int dim = flat.Length / count;
                for (int i = 0; i < count; i++) result[start + i] = flat.AsSpan(i * dim, dim).ToArray();
                progress?.Report((double)(start + count) / images.Count);
            }
        }
        finally
        {
            backbone.Train(wasTraining);
        }
        return result;
    }
}
