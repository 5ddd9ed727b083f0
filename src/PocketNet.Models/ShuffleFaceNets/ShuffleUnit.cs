using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.ShuffleFaceNets;

/// <summary>
/// ShuffleNetV2's unit (Ma et al. 2018) with PReLU in place of ReLU, as ShuffleFaceNet uses it. Stride 1: the channels
/// split in half, one half kept, the other through 1x1 conv-BN-PReLU, 3x3 depthwise conv-BN, 1x1 conv-BN-PReLU; stride 2:
/// both branches see the whole input, branch1 a 3x3 depthwise conv (stride 2)-BN then 1x1 conv-BN-PReLU. The halves are
/// concatenated and shuffled in two groups. Keys as torchvision's ShuffleNetV2 InvertedResidual: branch1.0..4,
/// branch2.0..7 (PReLU slopes at branch1.4 and branch2.2, branch2.7).
/// </summary>
public sealed class ShuffleUnit : Module<Tensor, Tensor>
{
    private readonly Sequential? _branch1;
    private readonly Sequential _branch2;

    public ShuffleUnit(long inChannels, long outChannels, int stride)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2");
        if (outChannels % 2 != 0) throw new ArgumentException($"a shuffle unit's output width is even, not {outChannels}", nameof(outChannels));
        if (stride == 1 && inChannels != outChannels)
            throw new ArgumentException($"a stride-1 shuffle unit keeps its width, not {inChannels} -> {outChannels}");
        (Stride, OutChannels) = (stride, outChannels);
        long half = outChannels / 2;
        if (stride == 2)
            _branch1 = RegisterModule("branch1", new Sequential(
                new Conv2d(inChannels, inChannels, 3, stride, 1, groups: inChannels, bias: false), new BatchNorm2d(inChannels),
                new Conv2d(inChannels, half, 1, bias: false), new BatchNorm2d(half), new PReLU(half)));
        long branchIn = stride == 2 ? inChannels : half;
        _branch2 = RegisterModule("branch2", new Sequential(
            new Conv2d(branchIn, half, 1, bias: false), new BatchNorm2d(half), new PReLU(half),
            new Conv2d(half, half, 3, stride, 1, groups: half, bias: false), new BatchNorm2d(half),
            new Conv2d(half, half, 1, bias: false), new BatchNorm2d(half), new PReLU(half)));
    }

    public int Stride { get; }
    public long OutChannels { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor joined;
        if (_branch1 is null)
        {
            long half = input.Size(1) / 2;
            joined = Tensors.Cat([input.Narrow(1, 0, half), _branch2.Forward(input.Narrow(1, half, half))], 1);
        }
        else
        {
            joined = Tensors.Cat([_branch1.Forward(input), _branch2.Forward(input)], 1);
        }
        return Functional.ChannelShuffle(joined, 2).MoveToOuterScope();
    }
}
