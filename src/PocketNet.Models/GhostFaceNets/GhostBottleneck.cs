using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.GhostFaceNets;

/// <summary>
/// GhostNet's bottleneck: a ghost module expands (with PReLU), a strided depthwise conv and BN downsample when the
/// stride is 2, squeeze-and-excitation where the stage table asks for it, and a second ghost module projects
/// (linear). The shortcut is the input when shape and width are kept, else a depthwise conv (with the stride), BN,
/// 1x1 conv and BN. Every conv pads as TensorFlow's "same". Keys: ghost1, conv_dw, bn_dw, se, ghost2, shortcut.{0..3}.
/// </summary>
public sealed class GhostBottleneck : Module<Tensor, Tensor>
{
    private readonly GhostModule _ghost1, _ghost2;
    private readonly Conv2d? _convDw;
    private readonly BatchNorm2d? _bnDw;
    private readonly GhostSqueezeExcite? _se;
    private readonly Sequential? _shortcut;

    public GhostBottleneck(long inChannels, long hiddenChannels, long outChannels, int kernelSize, int stride, bool squeezeExcite)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        _ghost1 = RegisterModule("ghost1", new GhostModule(inChannels, hiddenChannels, activation: true));
        if (stride > 1)
        {
            _convDw = RegisterModule("conv_dw", Depthwise(hiddenChannels, kernelSize, stride));
            _bnDw = RegisterModule("bn_dw", new BatchNorm2d(hiddenChannels));
        }
        if (squeezeExcite) _se = RegisterModule("se", new GhostSqueezeExcite(hiddenChannels));
        _ghost2 = RegisterModule("ghost2", new GhostModule(hiddenChannels, outChannels, activation: false));
        if (stride > 1 || inChannels != outChannels)
            _shortcut = RegisterModule("shortcut", new Sequential(
                Depthwise(inChannels, kernelSize, stride),
                new BatchNorm2d(inChannels),
                new Conv2d(inChannels, outChannels, 1, bias: false),
                new BatchNorm2d(outChannels)));
    }

    public bool HasProjectionShortcut => _shortcut is not null;

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _ghost1.Forward(input);
        if (_convDw is not null) x = _bnDw!.Forward(_convDw.Forward(x));
        if (_se is not null) x = _se.Forward(x);
        x = _ghost2.Forward(x);
        return (x + (_shortcut is null ? input : _shortcut.Forward(input))).MoveToOuterScope();
    }

    private static Conv2d Depthwise(long channels, int kernelSize, int stride) =>
        new(channels, channels, kernelSize, stride, groups: channels, bias: false, samePadding: true);
}
