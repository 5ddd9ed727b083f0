using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// MobileFaceNet's <c>dw_conv</c>: depthwise 3x3 -> BN -> ReLU -> pointwise 1x1 -> BN -> ReLU, without
/// biases. One ReLU module serves both activations (as in the reference), so a FLOP count sees it twice.
/// Keys: depthwise, pointwise, bn1, bn2 (registered in the reference's order).
/// </summary>
public sealed class SeparableConvBnRelu : Module<Tensor, Tensor>
{
    private readonly Conv2d _depthwise, _pointwise;
    private readonly BatchNorm2d _bn1, _bn2;
    private readonly ReLU _relu;

    public SeparableConvBnRelu(long inChannels, long outChannels)
    {
        _depthwise = RegisterModule("depthwise", new Conv2d(inChannels, inChannels, 3, padding: 1, groups: inChannels, bias: false));
        _pointwise = RegisterModule("pointwise", new Conv2d(inChannels, outChannels, 1, bias: false));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(inChannels));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
        _relu = RegisterModule("relu", new ReLU());
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _relu.Forward(_bn1.Forward(_depthwise.Forward(input)));
        return _relu.Forward(_bn2.Forward(_pointwise.Forward(x))).MoveToOuterScope();
    }
}
