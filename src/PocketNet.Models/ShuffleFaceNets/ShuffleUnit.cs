using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.ShuffleFaceNets;

/// <summary>
/// ShuffleNetV2's unit with ShuffleFaceNet's PReLU. Stride 1: the channels split in two halves, one passes through,
/// the other goes 1x1 conv-BN-PReLU, 3x3 depthwise conv-BN, 1x1 conv-BN-PReLU; the halves are concatenated and
/// shuffled (interleaved) so the next unit's split mixes them. Stride 2: both branches see the whole input (branch1:
/// depthwise 3x3 with the stride, BN, 1x1 conv, BN, PReLU), doubling the width. Keys as torchvision's ShuffleNetV2:
/// branch1.{0..4}, branch2.{0..7}.
/// </summary>
public sealed class ShuffleUnit : Module<Tensor, Tensor>
{
    private readonly Sequential? _branch1;
    private readonly Sequential _branch2;

    public ShuffleUnit(long inChannels, long outChannels, int stride)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        if (outChannels % 2 != 0) throw new ArgumentException($"a shuffle unit's output splits in two halves; got {outChannels} channels");
        if (stride == 1 && inChannels != outChannels)
            throw new ArgumentException($"a stride-1 shuffle unit keeps its width; got {inChannels} -> {outChannels}");
        (InChannels, OutChannels, Stride) = (inChannels, outChannels, stride);
        long half = outChannels / 2;
        if (stride == 2)
            _branch1 = RegisterModule("branch1", new Sequential(
                Depthwise(inChannels, stride), new BatchNorm2d(inChannels),
                new Conv2d(inChannels, half, 1, bias: false), new BatchNorm2d(half), new PReLU(half)));
        long branchInput = stride == 2 ? inChannels : half;
        _branch2 = RegisterModule("branch2", new Sequential(
            new Conv2d(branchInput, half, 1, bias: false), new BatchNorm2d(half), new PReLU(half),
            Depthwise(half, stride), new BatchNorm2d(half),
            new Conv2d(half, half, 1, bias: false), new BatchNorm2d(half), new PReLU(half)));
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public int Stride { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor joined;
        if (_branch1 is null)
        {
            long half = input.Size(1) / 2;
            joined = Tensors.Cat([input.Narrow(1, 0, half), _branch2.Forward(input.Narrow(1, half, half))], 1);
        }
        else joined = Tensors.Cat([_branch1.Forward(input), _branch2.Forward(input)], 1);
        return ShuffleChannels(joined, groups: 2).MoveToOuterScope();
    }

    /// <summary>Interleaves <paramref name="groups"/> groups of channels: [a0 a1 .. b0 b1 ..] becomes [a0 b0 a1 b1 ..].</summary>
    public static Tensor ShuffleChannels(Tensor x, int groups)
    {
        long batch = x.Size(0), channels = x.Size(1), height = x.Size(2), width = x.Size(3);
        using var scope = DisposeScope.Enter();
        return x.View(batch, groups, channels / groups, height, width).Transpose(1, 2).Reshape(batch, channels, height, width).MoveToOuterScope();
    }

    private static Conv2d Depthwise(long channels, int stride) => new(channels, channels, 3, stride, padding: 1, groups: channels, bias: false);
}
