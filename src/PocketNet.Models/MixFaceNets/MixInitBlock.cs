using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// The stem: a 3x3 conv with stride 2, BN and PReLU (conv1), then a MixUnit without expansion or squeeze-excitation
/// (conv2). The official MixNet builds this block without passing its shuffle flag, so the stem's unit shuffles its
/// channels in MixFaceNets as well as in ShuffleMixFaceNets; a checkpoint's weights only fit that wiring.
/// </summary>
public sealed class MixInitBlock : Module<Tensor, Tensor>
{
    private readonly ConvBlock _conv1;
    private readonly MixUnit _conv2;

    public MixInitBlock(long outChannels)
    {
        _conv1 = RegisterModule("conv1", new ConvBlock(3, outChannels, 3, stride: 2, padding: 1, activation: MixActivation.PReLU));
        _conv2 = RegisterModule("conv2", new MixUnit(new MixUnitSpec(outChannels, outChannels, Stride: 1, ExpansionKernels: 1,
            DepthwiseKernels: 1, ProjectionKernels: 1, Expansion: 1, SqueezeFactor: 0, MixActivation.PReLU, Shuffle: true)));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _conv2.Forward(_conv1.Forward(input)).MoveToOuterScope();
    }
}
