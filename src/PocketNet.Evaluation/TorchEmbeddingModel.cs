using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Evaluation;

/// <summary>A backbone run by our libtorch engine on its own device, in eval mode and without gradients.</summary>
public sealed class TorchEmbeddingModel(Module<Tensor, Tensor> backbone) : IEmbeddingModel
{
    private int _dimension;

    public Module<Tensor, Tensor> Backbone { get; } = backbone ?? throw new ArgumentNullException(nameof(backbone));

    /// <summary>Found by one forward pass of a blank image, the first time it is asked.</summary>
    public int Dimension => _dimension > 0 ? _dimension : _dimension = EmbeddingSizeOf(Backbone);

    public void EmbedBatch(ReadOnlySpan<float> images, int count, int imageSize, bool flip, Span<float> destination)
    {
        int dimension = Dimension;
        bool wasTraining = Backbone.IsTraining;
        Backbone.Eval();
        try
        {
            using var noGrad = Engine.NoGrad();
            using var scope = DisposeScope.Enter();
            Device device = Backbone.Parameters().First().Device;
            Tensor batch = Tensors.FromSpan(images, [count, 3, imageSize, imageSize], device);
            Tensor embeddings = Backbone.Forward(batch);
            if (flip) embeddings = embeddings + Backbone.Forward(batch.FlipHorizontal());
            embeddings.CopyTo(destination[..(count * dimension)]);
        }
        finally
        {
            Backbone.Train(wasTraining);
        }
    }

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
}
