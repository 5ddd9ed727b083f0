using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>MixConv, BN and an optional activation (the official MixConvBlock). Keys: conv.N, bn, activ.</summary>
public sealed class MixConvBlock : Module<Tensor, Tensor>
{
    private readonly MixConv _conv;
    private readonly BatchNorm2d _bn;
    private readonly Module<Tensor, Tensor>? _activation;

    public MixConvBlock(long inChannels, long outChannels, IReadOnlyList<int> kernelSizes, int stride, bool depthwise, MixActivation? activation)
    {
        _conv = RegisterModule("conv", new MixConv(inChannels, outChannels, kernelSizes, stride, depthwise));
        _bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        if (activation is { } kind) _activation = RegisterModule("activ", MixActivations.Create(kind, outChannels));
    }

    /// <summary>Depthwise 3x3, 5x5, 7x7, ... (one kernel size per group), as a unit's conv1 with several kernels.</summary>
    public static MixConvBlock Depthwise(long channels, int kernelCount, int stride, MixActivation activation) =>
        new(channels, channels, Enumerable.Range(0, kernelCount).Select(i => 3 + 2 * i).ToArray(), stride, depthwise: true, activation);

    /// <summary>Grouped 1x1 convolution (mixconv1x1_block): each channel group maps to its share of the outputs.</summary>
    public static MixConvBlock Pointwise(long inChannels, long outChannels, int kernelCount, MixActivation? activation) =>
        new(inChannels, outChannels, Enumerable.Repeat(1, kernelCount).ToArray(), 1, depthwise: false, activation);

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _bn.Forward(_conv.Forward(input));
        if (_activation is not null) x = _activation.Forward(x);
        return x.MoveToOuterScope();
    }
}
