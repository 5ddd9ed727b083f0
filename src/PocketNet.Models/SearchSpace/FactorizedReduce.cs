using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.SearchSpace;

/// <summary>
/// Halves the resolution without losing every other pixel: PReLU, then two branches of (strided 1x1
/// depthwise conv, 1x1 conv to C_out/2), the second on the input shifted by one pixel, concatenated
/// on channels, then BatchNorm.
/// </summary>
public sealed class FactorizedReduce : Module<Tensor, Tensor>
{
    private readonly PReLU _relu;
    private readonly Conv2d _conv11, _conv12, _conv21, _conv22;
    private readonly BatchNorm2d _bn;

    public FactorizedReduce(long inChannels, long outChannels, bool affine = true)
    {
        if (outChannels % 2 != 0) throw new ArgumentException($"FactorizedReduce needs an even output width, not {outChannels}");
        _relu = RegisterModule("relu", new PReLU(inChannels));
        _conv11 = RegisterModule("conv11", new Conv2d(inChannels, inChannels, 1, stride: 2, groups: inChannels, bias: false));
        _conv12 = RegisterModule("conv12", new Conv2d(inChannels, outChannels / 2, 1, bias: false));
        _conv21 = RegisterModule("conv21", new Conv2d(inChannels, inChannels, 1, stride: 2, groups: inChannels, bias: false));
        _conv22 = RegisterModule("conv22", new Conv2d(inChannels, outChannels / 2, 1, bias: false));
        _bn = RegisterModule("bn", new BatchNorm2d(outChannels, affine: affine));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _relu.Forward(input);
        Tensor first = _conv12.Forward(_conv11.Forward(x));
        Tensor shifted = x.Slice(2, 1, long.MaxValue).Slice(3, 1, long.MaxValue);
        Tensor second = _conv22.Forward(_conv21.Forward(shifted));
        return _bn.Forward(Tensors.Cat([first, second], 1)).MoveToOuterScope();
    }
}
