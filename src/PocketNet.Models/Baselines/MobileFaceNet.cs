using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// MobileFaceNet as the PocketNet reference builds it (its comparison baseline): a stride-2 3x3 stem to
/// 64 channels, a depthwise-separable block, fifteen MobileNetV2 bottlenecks, a 1x1 conv to 512, a 7x7
/// global depthwise conv, and a 1x1 conv (with bias) to the embedding, then BN. With a 128-d embedding it
/// has 999,936 parameters and 474.84 MFLOPs at 112x112 as the paper counts them (ReLU6 uncounted).
/// State-dict keys: conv1, dw_conv, conv2, gdconv, conv3, bn, features (the reference's order).
/// </summary>
public sealed class MobileFaceNet : Module<Tensor, Tensor>
{
    /// <summary>The bottleneck stages: (expansion t, output channels c, repeats n, stride of the first s).</summary>
    public static readonly IReadOnlyList<(int Expansion, int Channels, int Repeats, int Stride)> Stages =
    [
        (2, 64, 5, 2),
        (4, 128, 1, 2),
        (2, 128, 6, 1),
        (4, 128, 1, 2),
        (2, 128, 2, 1),
    ];

    private const int StemWidth = 64;
    private const int LastWidth = 512;

    private readonly Sequential _conv1, _conv2, _features;
    private readonly SeparableConvBnRelu _dwConv;
    private readonly GlobalDepthwiseConv _gdconv;
    private readonly Conv2d _conv3;
    private readonly BatchNorm2d _bn;

    public MobileFaceNet(int embeddingSize = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        EmbeddingSize = embeddingSize;

        var blocks = new List<Module<Tensor, Tensor>>();
        long width = StemWidth;
        foreach (var (expansion, channels, repeats, stride) in Stages)
            for (int i = 0; i < repeats; i++)
            {
                blocks.Add(new InvertedResidual(width, channels, i == 0 ? stride : 1, expansion));
                width = channels;
            }

        // The registration order is the state_dict order; the reference registers `features` last.
        _conv1 = RegisterModule("conv1", ConvBnRelu6.Create(3, StemWidth, stride: 2));
        _dwConv = RegisterModule("dw_conv", new SeparableConvBnRelu(StemWidth, StemWidth));
        _conv2 = RegisterModule("conv2", ConvBnRelu6.Create(width, LastWidth, kernelSize: 1));
        _gdconv = RegisterModule("gdconv", new GlobalDepthwiseConv(LastWidth));
        _conv3 = RegisterModule("conv3", new Conv2d(LastWidth, embeddingSize, 1));
        _bn = RegisterModule("bn", new BatchNorm2d(embeddingSize));
        _features = RegisterModule("features", new Sequential(blocks.ToArray()));

        InitialiseAsReference();
    }

    public int EmbeddingSize { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _features.Forward(_dwConv.Forward(_conv1.Forward(input)));
        x = _bn.Forward(_conv3.Forward(_gdconv.Forward(_conv2.Forward(x))));
        return x.Flatten(1).MoveToOuterScope();
    }

    // Convolutions: kaiming-normal over fan_out (gain sqrt 2), zero bias; batch norms keep 1 and 0.
    private void InitialiseAsReference()
    {
        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv)
            {
                Init.KaimingNormal(conv.Weight, fanIn: false);
                if (conv.Bias is not null) Init.Constant(conv.Bias, 0);
            }
    }
}
