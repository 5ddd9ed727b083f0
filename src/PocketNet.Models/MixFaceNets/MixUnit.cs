using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>How one MixNet block is built: the official MixUnit's arguments.</summary>
/// <param name="ExpansionKernels">groups of the 1x1 expansion (1: a plain conv); unused when <paramref name="Expansion"/> is 1</param>
/// <param name="DepthwiseKernels">kernel sizes of the depthwise conv: 1 means 3x3, n means 3x3, 5x5, ... (2n+1)x(2n+1)</param>
/// <param name="ProjectionKernels">groups of the 1x1 projection (1: a plain conv)</param>
/// <param name="SqueezeFactor">squeeze-excitation reduction per expansion step; 0 for none</param>
public sealed record MixUnitSpec(long InChannels, long OutChannels, int Stride, int ExpansionKernels, int DepthwiseKernels,
    int ProjectionKernels, int Expansion, int SqueezeFactor, MixActivation Activation, bool Shuffle);

/// <summary>
/// The MixNet block (the official MixUnit, an inverted bottleneck): 1x1 expansion when the expansion factor exceeds 1,
/// a depthwise MixConv with the stride, squeeze-excitation when asked, a linear 1x1 projection, the input added when
/// the shape is kept, and in ShuffleMixFaceNets a channel shuffle of two groups at the end. Keys: exp_conv, conv1, se,
/// conv2, each a <see cref="ConvBlock"/> or, with several kernels, a <see cref="MixConvBlock"/>.
/// </summary>
public sealed class MixUnit : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor>? _expansion;
    private readonly Module<Tensor, Tensor> _depthwise;
    private readonly SqueezeExcitation? _squeeze;
    private readonly Module<Tensor, Tensor> _projection;

    public MixUnit(MixUnitSpec spec)
    {
        if (spec.Expansion < 1) throw new ArgumentOutOfRangeException(nameof(spec), spec.Expansion, "the expansion factor is at least 1");
        if (spec.SqueezeFactor < 0) throw new ArgumentOutOfRangeException(nameof(spec), spec.SqueezeFactor, "the squeeze factor is at least 0");
        Spec = spec;
        long mid = spec.Expansion * spec.InChannels;
        if (spec.Expansion > 1)
            _expansion = RegisterModule<Module<Tensor, Tensor>>("exp_conv", spec.ExpansionKernels == 1
                ? ConvBlock.Pointwise(spec.InChannels, mid, spec.Activation)
                : MixConvBlock.Pointwise(spec.InChannels, mid, spec.ExpansionKernels, spec.Activation));
        _depthwise = RegisterModule<Module<Tensor, Tensor>>("conv1", spec.DepthwiseKernels == 1
            ? ConvBlock.Depthwise(mid, 3, spec.Stride, 1, spec.Activation)
            : MixConvBlock.Depthwise(mid, spec.DepthwiseKernels, spec.Stride, spec.Activation));
        if (spec.SqueezeFactor > 0)
            _squeeze = RegisterModule("se", new SqueezeExcitation(mid, spec.Expansion * spec.SqueezeFactor, spec.Activation));
        _projection = RegisterModule<Module<Tensor, Tensor>>("conv2", spec.ProjectionKernels == 1
            ? ConvBlock.Pointwise(mid, spec.OutChannels, activation: null)
            : MixConvBlock.Pointwise(mid, spec.OutChannels, spec.ProjectionKernels, activation: null));
    }

    public MixUnitSpec Spec { get; }

    /// <summary>True when the block adds its input to its output (stride 1, same width).</summary>
    public bool HasResidual => Spec.Stride == 1 && Spec.InChannels == Spec.OutChannels;

    /// <summary>Groups of the closing channel shuffle (the official channel_shuffle2 with 2 groups of C/2 channels), or 0.</summary>
    public long ShuffleGroups => Spec.Shuffle ? Spec.OutChannels / 2 : 0;

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _expansion?.Forward(input) ?? input;
        x = _depthwise.Forward(x);
        if (_squeeze is not null) x = _squeeze.Forward(x);
        x = _projection.Forward(x);
        if (HasResidual) x = x + input;
        // channel_shuffle2(x, 2) views the channels as [C/2, 2] and transposes: the inverse of ShuffleNet's
        // shuffle with 2 groups, which is ShuffleNet's shuffle with C/2 groups.
        if (Spec.Shuffle) x = Functional.ChannelShuffle(x, ShuffleGroups);
        return x.MoveToOuterScope();
    }
}
