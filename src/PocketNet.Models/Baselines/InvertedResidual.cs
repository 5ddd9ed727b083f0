using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// MobileNetV2's bottleneck: [1x1 expansion conv-BN-ReLU6 when the expansion is not 1] -> depthwise 3x3
/// conv-BN-ReLU6 (with the stride) -> linear 1x1 projection -> BN, plus the input when the shape is kept
/// (stride 1, same width). All under <c>conv</c>: conv.0.0 (expansion conv), conv.1.0 (depthwise), conv.2
/// (projection), conv.3 (BN), as the reference's keys.
/// </summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly Sequential _conv;

    public InvertedResidual(long inChannels, long outChannels, int stride, double expansion)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        long hidden = (long)Math.Round(inChannels * expansion, MidpointRounding.ToEven); // Python's round()
        HasResidual = stride == 1 && inChannels == outChannels;
        _conv = new Sequential();
        if (expansion != 1) _conv.Append(ConvBnRelu6.Create(inChannels, hidden, kernelSize: 1));
        _conv.Append(ConvBnRelu6.Create(hidden, hidden, stride: stride, groups: hidden))
             .Append(new Conv2d(hidden, outChannels, 1, bias: false))
             .Append(new BatchNorm2d(outChannels));
        RegisterModule("conv", _conv);
    }

    /// <summary>True when the block adds its input to its output.</summary>
    public bool HasResidual { get; }

    public override Tensor Forward(Tensor input)
    {
        if (!HasResidual) return _conv.Forward(input);
        using var scope = DisposeScope.Enter();
        return (input + _conv.Forward(input)).MoveToOuterScope();
    }
}
