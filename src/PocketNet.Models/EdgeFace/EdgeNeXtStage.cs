using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// One of the four stages: stage 0 keeps the stem's resolution; stages 1-3 first halve it (LayerNorm over channels,
/// then a 2×2 stride-2 convolution to the stage's width: downsample.0, downsample.1). Then conv encoders with the
/// stage's kernel and, in stages 1-3, a final SDTA encoder.
/// </summary>
public sealed class EdgeNeXtStage : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _downsample;
    private readonly Sequential _blocks;

    public EdgeNeXtStage(int index, long inChannels, long channels, int depth, int heads, double? rankRatio)
    {
        _downsample = RegisterModule<Module<Tensor, Tensor>>("downsample", index == 0
            ? new Identity()
            : new Sequential(new LayerNorm2d(inChannels, EdgeNeXt.NormEps), new Conv2d(inChannels, channels, 2, stride: 2)));
        bool attention = index > 0;
        var blocks = new Sequential();
        for (int i = 0; i < depth - (attention ? 1 : 0); i++)
            blocks.Append(new ConvEncoder(channels, EdgeFaceVariant.KernelSizes[index], rankRatio));
        if (attention)
            blocks.Append(new SdtaEncoder(channels, EdgeFaceVariant.Splits[index], heads, EdgeFaceVariant.PositionalEncoding[index], rankRatio));
        _blocks = RegisterModule("blocks", blocks);
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _blocks.Forward(_downsample.Forward(input)).MoveToOuterScope();
    }
}
