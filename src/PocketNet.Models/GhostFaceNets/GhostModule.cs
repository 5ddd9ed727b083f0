using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.GhostFaceNets;

/// <summary>
/// GhostNet's cheap feature maps: a 1x1 convolution makes half of the output channels (the intrinsic maps), a 3x3
/// depthwise convolution of those makes the other half (their "ghosts"), and the two halves are concatenated. Each
/// half is conv, BN and, in the expanding module of a bottleneck, a per-channel PReLU (the official Keras model's
/// ReLUs become PReLUs before training). Keys: primary_conv.{0 conv, 1 bn, 2 prelu}, cheap_operation.{0, 1, 2}.
/// </summary>
public sealed class GhostModule : Module<Tensor, Tensor>
{
    private readonly Sequential _primaryConv, _cheapOperation;

    public GhostModule(long inChannels, long outChannels, bool activation)
    {
        if (outChannels % 2 != 0)
            throw new ArgumentException($"a ghost module makes an even number of channels (half intrinsic, half ghosts); got {outChannels}");
        long half = outChannels / 2;
        _primaryConv = RegisterModule("primary_conv", ConvBnPRelu(inChannels, half, kernelSize: 1, groups: 1, activation));
        _cheapOperation = RegisterModule("cheap_operation", ConvBnPRelu(half, half, kernelSize: 3, groups: half, activation));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor intrinsic = _primaryConv.Forward(input);
        return Tensors.Cat([intrinsic, _cheapOperation.Forward(intrinsic)], 1).MoveToOuterScope();
    }

    private static Sequential ConvBnPRelu(long inChannels, long outChannels, int kernelSize, long groups, bool activation)
    {
        var layers = new Sequential(
            new Conv2d(inChannels, outChannels, kernelSize, groups: groups, bias: false, samePadding: true),
            new BatchNorm2d(outChannels));
        return activation ? layers.Append(new PReLU(outChannels)) : layers;
    }
}
