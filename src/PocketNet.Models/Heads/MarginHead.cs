using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Heads;

/// <summary>
/// A classification head of angular-margin training: holds one weight vector per identity (the
/// reference's <c>kernel</c>, shape [embedding, classes], init N(0, 0.01²)) and turns embeddings and
/// labels into scaled logits with a margin on the target class, for a cross-entropy loss.
/// </summary>
public abstract class MarginHead : Module
{
    protected MarginHead(int embeddingSize, int classes, double scale, double margin)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        (EmbeddingSize, Classes, Scale, Margin) = (embeddingSize, classes, scale, margin);
        Kernel = RegisterParameter("kernel", Init.Normal(Tensors.Empty([embeddingSize, classes]), 0, 0.01));
    }

    public int EmbeddingSize { get; }
    public int Classes { get; }

    /// <summary>s: the norm the logits are scaled to.</summary>
    public double Scale { get; }

    /// <summary>m: the margin added to the target class (an angle for ArcFace, a cosine for CosFace).</summary>
    public double Margin { get; }

    public Tensor Kernel { get; }

    /// <summary>Logits [N, classes] for embeddings [N, E] and int64 labels [N].</summary>
    public Tensor Forward(Tensor embeddings, Tensor labels)
    {
        using var scope = DisposeScope.Enter();
        Tensor cosine = CosineSimilarities(embeddings);
        Tensor index = labels.View(-1, 1);
        Tensor target = ApplyMargin(cosine.Gather(1, index));
        return (cosine.Scatter(1, index, target) * Scale).MoveToOuterScope();
    }

    /// <summary>cos θ between each normalised embedding and each normalised class weight, [N, classes].</summary>
    public Tensor CosineSimilarities(Tensor embeddings)
    {
        using var scope = DisposeScope.Enter();
        Tensor cosine = Functional.Normalize(embeddings, dim: 1).MatMul(Functional.Normalize(Kernel, dim: 0));
        // the reference clamps to [-1 + 1e-5, 1 + 1e-5] for numerical stability; kept for identical logits
        return cosine.Clamp(-1 + 1e-5, 1 + 1e-5).MoveToOuterScope();
    }

    /// <summary>The target-class cosine after the margin, [N, 1].</summary>
    protected abstract Tensor ApplyMargin(Tensor targetCosine);
}
