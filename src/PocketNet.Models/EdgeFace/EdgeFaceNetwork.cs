using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// EdgeFace (George et al., IEEE T-BIOM 2024; official code otroshi/edgeface): the official wrapper
/// (TimmFRWrapperV2) holds the EdgeNeXt backbone under <c>model</c>, so every state_dict key starts with
/// <c>model.</c> (<c>model.stages.2.blocks.8.xca.qkv.linear1.weight</c>) and the published checkpoints load as they are.
/// Initialised as timm initialises EdgeNeXt: convolution and linear weights from a normal of std 0.02 truncated at
/// two standard deviations, biases 0, LayerNorms 1 and 0, layer scales 1e-6, temperatures 1.
/// </summary>
public sealed class EdgeFaceNetwork : Module<Tensor, Tensor>
{
    /// <summary>The embedding size of every published EdgeFace.</summary>
    public const int DefaultEmbeddingSize = 512;

    private readonly EdgeNeXt _model;

    public EdgeFaceNetwork(EdgeFaceVariant variant, int embeddingSize = DefaultEmbeddingSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        Variant = variant;
        EmbeddingSize = embeddingSize;
        _model = RegisterModule("model", new EdgeNeXt(variant, embeddingSize));
        InitialiseAsReference();
    }

    public EdgeFaceVariant Variant { get; }
    public int EmbeddingSize { get; }

    public override Tensor Forward(Tensor input) => _model.Forward(input);

    private void InitialiseAsReference()
    {
        foreach (var (_, module) in NamedModules())
            switch (module)
            {
                case Conv2d conv:
                    TruncatedNormal(conv.Weight);
                    if (conv.Bias is not null) Init.Constant(conv.Bias, 0);
                    break;
                case Linear linear:
                    TruncatedNormal(linear.Weight);
                    if (linear.Bias is not null) Init.Constant(linear.Bias, 0);
                    break;
            }
    }

    // N(0, 0.02²) cut at ±2σ: the ~4.6% of draws beyond are clamped to the edge, a close enough start for
    // training (timm samples the truncated distribution itself by inverse CDF).
    private static void TruncatedNormal(Tensor weight)
    {
        const double std = 0.02;
        Init.Normal(weight, 0, std);
        using var scope = DisposeScope.Enter();
        using var noGrad = Engine.NoGrad();
        weight.CopyFrom(weight.Clamp(-2 * std, 2 * std));
    }
}
