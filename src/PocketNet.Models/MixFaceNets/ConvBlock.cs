using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// Convolution, then BN and an activation when asked for (the official ConvBlock, behind its conv1x1_block,
/// conv3x3_block, dwconv3x3_block and dwconv_block). Keys: conv, bn, activ (only a PReLU holds state).
/// </summary>
public sealed class ConvBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d? _bn;
    private readonly Module<Tensor, Tensor>? _activation;

    public ConvBlock(long inChannels, long outChannels, int kernelSize, int stride = 1, int padding = 0, long groups = 1,
        bool batchNorm = true, MixActivation? activation = null)
    {
        _conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, padding, groups: groups, bias: false));
        if (batchNorm) _bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        if (activation is { } kind) _activation = RegisterModule("activ", MixActivations.Create(kind, outChannels));
    }

    /// <summary>1x1 convolution (conv1x1_block).</summary>
    public static ConvBlock Pointwise(long inChannels, long outChannels, MixActivation? activation, bool batchNorm = true) =>
        new(inChannels, outChannels, 1, activation: activation, batchNorm: batchNorm);

    /// <summary>Depthwise k x k convolution (dwconv_block).</summary>
    public static ConvBlock Depthwise(long channels, int kernelSize, int stride, int padding, MixActivation? activation) =>
        new(channels, channels, kernelSize, stride, padding, groups: channels, activation: activation);

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _conv.Forward(input);
        if (_bn is not null) x = _bn.Forward(x);
        if (_activation is not null) x = _activation.Forward(x);
        return x.MoveToOuterScope();
    }
}
