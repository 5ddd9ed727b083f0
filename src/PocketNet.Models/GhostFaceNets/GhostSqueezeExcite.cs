using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.GhostFaceNets;

/// <summary>
/// The squeeze-and-excitation of GhostFaceNets: global average pool, 1x1 conv to a quarter of the channels (rounded
/// to a multiple of 4), PReLU, 1x1 conv back, hard sigmoid, and the input scaled channel by channel. The hard sigmoid
/// is Keras's of the TensorFlow 2.8 the paper used, clip(0.2 x + 0.5, 0, 1) (ONNX's HardSigmoid defaults), not
/// PyTorch's relu6(x + 3) / 6. Keys: conv_reduce, act1, conv_expand.
/// </summary>
public sealed class GhostSqueezeExcite : Module<Tensor, Tensor>
{
    public const double HardSigmoidSlope = 0.2;
    public const double HardSigmoidOffset = 0.5;

    private readonly Conv2d _convReduce, _convExpand;
    private readonly PReLU _act1;

    public GhostSqueezeExcite(long channels, double ratio = 0.25)
    {
        long reduced = GhostFaceNetV1.MakeDivisible(channels * ratio);
        _convReduce = RegisterModule("conv_reduce", new Conv2d(channels, reduced, 1));
        _act1 = RegisterModule("act1", new PReLU(reduced));
        _convExpand = RegisterModule("conv_expand", new Conv2d(reduced, channels, 1));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor squeezed = Functional.AdaptiveAvgPool2d(input, 1, 1);
        Tensor gate = _convExpand.Forward(_act1.Forward(_convReduce.Forward(squeezed)));
        return (input * HardSigmoid(gate)).MoveToOuterScope();
    }

    public static Tensor HardSigmoid(Tensor x) => (x * HardSigmoidSlope + HardSigmoidOffset).Clamp(0, 1);
}
