using PocketNet.Torch;

namespace PocketNet.Models.Heads;

/// <summary>CosFace (large margin cosine loss, Wang et al. 2018): the target logit becomes s·(cos θ − m).</summary>
public sealed class CosFaceHead(int embeddingSize, int classes, double scale = 64, double margin = 0.35)
    : MarginHead(embeddingSize, classes, scale, margin)
{
    protected override Tensor ApplyMargin(Tensor targetCosine) => targetCosine - Margin;
}
