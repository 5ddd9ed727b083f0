using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.SearchSpace;

/// <summary>
/// PReLU -> depthwise k x k conv -> 1x1 conv -> BatchNorm: the dw_conv_kxk primitives, and with k = 1 the
/// cells' pre-processing (StdConv). State-dict keys: net.0 (PReLU), net.1 (depthwise), net.2 (pointwise), net.3 (BN).
/// </summary>
public sealed class DepthwiseSeparableConv : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public DepthwiseSeparableConv(long inChannels, long outChannels, int kernelSize, int stride, bool affine = true)
    {
        _net = RegisterModule("net", new Sequential(
            new PReLU(inChannels),
            new Conv2d(inChannels, inChannels, kernelSize, stride, padding: kernelSize / 2, groups: inChannels, bias: false),
            new Conv2d(inChannels, outChannels, 1, bias: false),
            new BatchNorm2d(outChannels, affine: affine)));
    }

    public override Tensor Forward(Tensor input) => _net.Forward(input);
}
