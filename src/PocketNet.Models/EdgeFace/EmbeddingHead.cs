using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// timm's NormMlpClassifierHead as EdgeFace resets it: global average pool, LayerNorm over the channels (norm),
/// a (low-rank) linear layer to the embedding (fc).
/// </summary>
public sealed class EmbeddingHead : Module<Tensor, Tensor>
{
    private readonly LayerNorm2d _norm;
    private readonly Module<Tensor, Tensor> _fc;

    public EmbeddingHead(long channels, int embeddingSize, double? rankRatio)
    {
        _norm = RegisterModule("norm", new LayerNorm2d(channels, EdgeNeXt.NormEps));
        _fc = RegisterModule("fc", LowRankLinear.Create(channels, embeddingSize, rankRatio));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor pooled = _norm.Forward(input.Mean([2, 3], keepDim: true));
        return _fc.Forward(pooled.Flatten(1)).MoveToOuterScope();
    }
}
