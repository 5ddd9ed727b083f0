using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// The EdgeNeXt backbone (Maaz et al. 2022) as timm builds it: a 4×4 stride-4 patch stem with LayerNorm
/// (112 → 28), four stages (28, 14, 7, 3), and the embedding head. Children stem, stages, head as timm names them.
/// </summary>
public sealed class EdgeNeXt : Module<Tensor, Tensor>
{
    /// <summary>Epsilon of every LayerNorm in EdgeNeXt.</summary>
    public const double NormEps = 1e-6;

    private readonly Sequential _stem, _stages;
    private readonly EmbeddingHead _head;

    public EdgeNeXt(EdgeFaceVariant variant, int embeddingSize)
    {
        variant.Validate();
        int[] widths = variant.Widths;
        _stem = RegisterModule("stem", new Sequential(new Conv2d(3, widths[0], 4, stride: 4), new LayerNorm2d(widths[0], NormEps)));
        var stages = new Sequential();
        for (int i = 0; i < 4; i++)
            stages.Append(new EdgeNeXtStage(i, widths[Math.Max(i - 1, 0)], widths[i], variant.Depths[i], variant.Heads, variant.RankRatio));
        _stages = RegisterModule("stages", stages);
        _head = RegisterModule("head", new EmbeddingHead(widths[^1], embeddingSize, variant.RankRatio));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _head.Forward(_stages.Forward(_stem.Forward(input))).MoveToOuterScope();
    }
}
