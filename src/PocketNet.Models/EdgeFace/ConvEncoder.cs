using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// The conv encoder (timm's ConvBlock): depthwise k×k convolution, then per pixel LayerNorm and the MLP, scaled per
/// channel by a learned layer scale (gamma, 1e-6 at start), added to the input.
/// </summary>
public sealed class ConvEncoder : Module<Tensor, Tensor>
{
    private readonly Conv2d _convDw;
    private readonly LayerNorm _norm;
    private readonly Mlp _mlp;

    public ConvEncoder(long channels, int kernelSize, double? rankRatio)
    {
        Gamma = RegisterParameter("gamma", Tensors.Full([channels], 1e-6));
        _convDw = RegisterModule("conv_dw", new Conv2d(channels, channels, kernelSize, padding: kernelSize / 2, groups: channels));
        _norm = RegisterModule("norm", new LayerNorm(channels, EdgeNeXt.NormEps));
        _mlp = RegisterModule("mlp", new Mlp(channels, 4 * channels, rankRatio));
    }

    /// <summary>The layer scale.</summary>
    public Tensor Gamma { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor tokens = _convDw.Forward(input).Permute(0, 2, 3, 1);
        Tensor update = _mlp.Forward(_norm.Forward(tokens)) * Gamma;
        return (input + update.Permute(0, 3, 1, 2)).MoveToOuterScope();
    }
}
