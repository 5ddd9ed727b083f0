using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Bench;

/// <summary>
/// PocketNet's dw_conv_3x3 operation generalised to a channel change: PReLU(C_in) -> depthwise 3x3
/// (stride s, padding 1, no bias) -> 1x1 conv C_in->C_out (no bias) -> BatchNorm(C_out). The children
/// sit in a Sequential named "net", as in the reference implementation, so python's twin
/// (bench/python/engine_bench.py) has the very same module tree.
/// </summary>
public sealed class DepthwiseSeparable : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public DepthwiseSeparable(long inChannels, long outChannels, long stride = 1)
    {
        _net = RegisterModule("net", new Sequential(
            new PReLU(inChannels),
            new Conv2d(inChannels, inChannels, 3, stride: stride, padding: 1, groups: inChannels, bias: false),
            new Conv2d(inChannels, outChannels, 1, bias: false),
            new BatchNorm2d(outChannels)));
    }

    public override Tensor Forward(Tensor input) => _net.Forward(input);
}

/// <summary>
/// A compact face-recognition network of PocketNet's shape, made only of the engine's modules: a
/// 3x3 stride-2 stem (112 -> 56), depthwise-separable blocks with three stride-2 stages (56 -> 28 ->
/// 14 -> 7, as PocketNet's three reduction cells), then PocketNet's tail: PReLU -> 1x1 conv to 512 ->
/// BN -> PReLU -> 7x7 depthwise conv (GDC) -> BN -> 1x1 conv to the embedding -> BN -> flatten.
/// </summary>
public sealed class FaceNetLite : Module<Tensor, Tensor>
{
    /// <summary>(output channels, stride) of each block after the stem; mirrored in engine_bench.py.</summary>
    public static readonly (long Channels, long Stride)[] Blocks =
    [
        (64, 1), (64, 1),
        (128, 2), (128, 1),
        (256, 2), (256, 1),
        (256, 2), (256, 1),
    ];

    public const long StemChannels = 64;

    private readonly Sequential _stem;
    private readonly Sequential _blocks;
    private readonly Sequential _tail;

    public FaceNetLite(long embedding = 128)
    {
        _stem = RegisterModule("stem", new Sequential(
            new Conv2d(3, StemChannels, 3, stride: 2, padding: 1, bias: false),
            new BatchNorm2d(StemChannels),
            new PReLU(StemChannels)));
        _blocks = RegisterModule("blocks", new Sequential());
        long channels = StemChannels;
        foreach (var (outChannels, stride) in Blocks)
        {
            _blocks.Append(new DepthwiseSeparable(channels, outChannels, stride));
            channels = outChannels;
        }
        _tail = RegisterModule("tail", new Sequential(
            new PReLU(channels),
            new Conv2d(channels, 512, 1, bias: false),
            new BatchNorm2d(512),
            new PReLU(512),
            new Conv2d(512, 512, 7, groups: 512, bias: false),
            new BatchNorm2d(512),
            new Conv2d(512, embedding, 1, bias: false),
            new BatchNorm2d(embedding),
            new Flatten()));
    }

    public override Tensor Forward(Tensor input)
    {
        // Stage outputs are released as soon as the next stage has consumed them, as Sequential does
        // with its intermediates: autograd keeps what backward needs, and the step's memory is reused
        // during backward instead of staying pinned until the step's scope closes.
        using Tensor stem = _stem.Forward(input);
        using Tensor features = _blocks.Forward(stem);
        return _tail.Forward(features);
    }
}
