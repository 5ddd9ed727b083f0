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
        return Logits(CosineSimilarities(embeddings), labels).MoveToOuterScope();
    }

    /// <summary>cos θ between each normalised embedding and each normalised class weight, [N, classes].</summary>
    public Tensor CosineSimilarities(Tensor embeddings) => CosineSimilarities(embeddings, Kernel);

    /// <summary>cos θ against the given class centres (columns of a kernel, [E, K]), [N, K].</summary>
    public static Tensor CosineSimilarities(Tensor embeddings, Tensor centres)
    {
        using var scope = DisposeScope.Enter();
        Tensor cosine = Functional.Normalize(embeddings, dim: 1).MatMul(Functional.Normalize(centres, dim: 0));
        // the reference clamps to [-1 + 1e-5, 1 + 1e-5] for numerical stability; kept for identical logits
        return cosine.Clamp(-1 + 1e-5, 1 + 1e-5).MoveToOuterScope();
    }

    /// <summary>
    /// Scaled logits with the margin on each row's target column. A label of -1 marks a row whose class is not
    /// among these columns (Partial FC: another rank holds it, or it was not sampled): that row gets no margin.
    /// </summary>
    public Tensor Logits(Tensor cosine, Tensor labels)
    {
        using var scope = DisposeScope.Enter();
        Tensor present = labels.Ge(0);
        Tensor index = Tensors.Where(present, labels, Tensors.ZerosLike(labels)).View(-1, 1);
        present = present.View(-1, 1);
        Tensor cosineAtIndex = cosine.Gather(1, index);
        Tensor target = Tensors.Where(present, ApplyMargin(cosineAtIndex), cosineAtIndex);
        return (cosine.Scatter(1, index, target) * Scale).MoveToOuterScope();
    }

    /// <summary>The target-class cosine after the margin, [N, 1].</summary>
    protected abstract Tensor ApplyMargin(Tensor targetCosine);
}
