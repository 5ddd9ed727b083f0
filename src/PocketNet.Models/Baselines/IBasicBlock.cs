using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// The improved residual block of ArcFace's iResNet: BN -> 3x3 conv -> BN -> PReLU -> 3x3 conv (carrying
/// the stride) -> BN, added to the input or, when the shape changes, to a strided 1x1 conv + BN projection
/// of it. No activation after the addition. Keys: bn1, conv1, bn2, prelu, conv2, bn3, downsample.0/.1.
/// </summary>
public sealed class IBasicBlock : Module<Tensor, Tensor>
{
    private readonly BatchNorm2d _bn1, _bn2, _bn3;
    private readonly Conv2d _conv1, _conv2;
    private readonly PReLU _prelu;
    private readonly Sequential? _downsample;

    public IBasicBlock(long inChannels, long channels, int stride = 1)
    {
        _bn1 = RegisterModule("bn1", new BatchNorm2d(inChannels, eps: 1e-5));
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, channels, 3, padding: 1, bias: false));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(channels, eps: 1e-5));
        _prelu = RegisterModule("prelu", new PReLU(channels));
        _conv2 = RegisterModule("conv2", new Conv2d(channels, channels, 3, stride: stride, padding: 1, bias: false));
        _bn3 = RegisterModule("bn3", new BatchNorm2d(channels, eps: 1e-5));
        if (stride != 1 || inChannels != channels)
            _downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inChannels, channels, 1, stride: stride, bias: false),
                new BatchNorm2d(channels, eps: 1e-5)));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _prelu.Forward(_bn2.Forward(_conv1.Forward(_bn1.Forward(input))));
        Tensor output = _bn3.Forward(_conv2.Forward(x));
        // In place, as the reference's `out += identity`: the BN backward does not need its own output.
        output.AddInPlace(_downsample?.Forward(input) ?? input);
        return output.MoveToOuterScope();
    }
}
