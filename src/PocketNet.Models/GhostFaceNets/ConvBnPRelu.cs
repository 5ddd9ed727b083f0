using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.GhostFaceNets;

/// <summary>The 1x1 conv, BN and PReLU that widen GhostFaceNet's last feature map before the head. Keys: conv, bn1, act1.</summary>
public sealed class ConvBnPRelu : Module<Tensor, Tensor>
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn1;
    private readonly PReLU _act1;

    public ConvBnPRelu(long inChannels, long outChannels)
    {
        _conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, 1, bias: false));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        _act1 = RegisterModule("act1", new PReLU(outChannels));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _act1.Forward(_bn1.Forward(_conv.Forward(input))).MoveToOuterScope();
    }
}
