using PocketNet.Evaluation;

namespace PocketNet.Bench.Models;

/// <summary>
/// An in-process path of the eval benchmark: an <see cref="IEmbeddingModel"/> (ONNX Runtime or our libtorch engine)
/// embedding the bench's fixed batch through <see cref="IEmbeddingModel.EmbedBatch"/>, the call
/// <see cref="EmbeddingExtractor"/> makes during evaluation, so whatever that call costs (copies, the managed mirror
/// of the ONNX path) is timed with it.
/// </summary>
public sealed class EmbeddingPath(IEmbeddingModel model, float[] images, int batch, int imageSize)
{
    private readonly float[] _embeddings = new float[batch * model.Dimension];

    public Sample Run(string evalCase)
    {
        var clock = new PhaseClock(() => { });
        model.EmbedBatch(images, batch, imageSize, flip: evalCase == "eval_flip", _embeddings);
        clock.Mark("embed");
        return clock.Finish();
    }

    /// <summary>The embeddings of the batch without flip, for comparing the paths' outputs.</summary>
    public float[] Embed()
    {
        var embeddings = new float[_embeddings.Length];
        model.EmbedBatch(images, batch, imageSize, flip: false, embeddings);
        return embeddings;
    }
}
