using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.GhostFaceNets;

/// <summary>
/// GhostFaceNets' modified global depthwise convolution head: a depthwise conv as large as the last feature map,
/// BN, a 1x1 conv to the embedding (the paper drops MobileFaceNet's linear layer for it), flatten, BN (scaled and
/// centred). Keys: conv_dw, bn1, conv, bn2.
/// </summary>
public sealed class ModifiedGdc : Module<Tensor, Tensor>
{
    private readonly Conv2d _convDw, _conv;
    private readonly BatchNorm2d _bn1;
    private readonly BatchNorm1d _bn2;

    public ModifiedGdc(long channels, long featureSide, int embeddingSize, bool convBias)
    {
        _convDw = RegisterModule("conv_dw", new Conv2d(channels, channels, featureSide, groups: channels, bias: false));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(channels));
        _conv = RegisterModule("conv", new Conv2d(channels, embeddingSize, 1, bias: convBias));
        _bn2 = RegisterModule("bn2", new BatchNorm1d(embeddingSize));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _conv.Forward(_bn1.Forward(_convDw.Forward(input)));
        return _bn2.Forward(x.Flatten(1)).MoveToOuterScope();
    }
}
