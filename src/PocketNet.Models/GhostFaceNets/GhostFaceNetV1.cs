using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.GhostFaceNets;

/// <summary>
/// GhostFaceNetV1 (Alansari et al., IEEE Access 2023): GhostNetV1 scaled by a width multiplier, with a stem of
/// stride 1 or 2, every ReLU a per-channel PReLU, and the modified GDC head (a global depthwise conv, BN, a 1x1 conv
/// to the embedding, BN). Wired as the official Keras code builds it (HamadYA/GhostFaceNets, backbones/ghost_model.py
/// and GhostFaceNets.py with the training notebook's options): TensorFlow's "same" padding, batch-norm epsilon
/// 1e-5, the last bottleneck expanding to 512 (not GhostNet's 960), the head's 1x1 conv with a bias in the stride-1
/// models only. The official code is Keras, whose layer names are generated; the keys here follow the PyTorch port
/// the official README lists (Hazqeel09/ellzaf_ml, ghostfacenetsv1.py): conv_stem, bn1, act1, blocks.S.B, classifier.
/// </summary>
public sealed class GhostFaceNetV1 : Module<Tensor, Tensor>
{
    /// <summary>One bottleneck of GhostNet's table 1 (before the width multiplier): kernel, expansion, output, SE, stride.</summary>
    public sealed record Block(int Kernel, int Expansion, int Output, bool SqueezeExcite, int Stride);

    /// <summary>The bottlenecks grouped as the PyTorch port's stages (its keys' first index).</summary>
    public static readonly IReadOnlyList<IReadOnlyList<Block>> Stages =
    [
        [new(3, 16, 16, false, 1)],
        [new(3, 48, 24, false, 2)],
        [new(3, 72, 24, false, 1)],
        [new(5, 72, 40, true, 2)],
        [new(5, 120, 40, true, 1)],
        [new(3, 240, 80, false, 2)],
        [new(3, 200, 80, false, 1), new(3, 184, 80, false, 1), new(3, 184, 80, false, 1), new(3, 480, 112, true, 1), new(3, 672, 112, true, 1)],
        [new(5, 672, 160, true, 2)],
        [new(5, 960, 160, false, 1), new(5, 960, 160, true, 1), new(5, 960, 160, false, 1), new(5, 512, 160, true, 1)],
    ];

    private const int StemWidth = 16;
    private const int LastExpansion = 512;

    private readonly Conv2d _convStem;
    private readonly BatchNorm2d _bn1;
    private readonly PReLU _act1;
    private readonly Sequential _blocks;
    private readonly ModifiedGdc _classifier;

    public GhostFaceNetV1(double width = 1.3, int stemStride = 2, int embeddingSize = 512, int inputSize = 112)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        if (width is <= 0 or > 4) throw new ArgumentOutOfRangeException(nameof(width), width, "width multiplier must be in (0, 4]");
        if (stemStride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stemStride), stemStride, "stem stride must be 1 or 2");
        (Width, StemStride, EmbeddingSize) = (width, stemStride, embeddingSize);

        long channels = MakeDivisible(StemWidth * width);
        _convStem = RegisterModule("conv_stem", new Conv2d(3, channels, 3, stemStride, bias: false, samePadding: true));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(channels));
        _act1 = RegisterModule("act1", new PReLU(channels));

        var stages = new List<Module<Tensor, Tensor>>();
        long side = Ceiling(inputSize, stemStride);
        foreach (IReadOnlyList<Block> stage in Stages)
        {
            var blocks = new Sequential();
            foreach (Block block in stage)
            {
                long output = MakeDivisible(block.Output * width);
                blocks.Append(new GhostBottleneck(channels, MakeDivisible(block.Expansion * width), output, block.Kernel, block.Stride, block.SqueezeExcite));
                channels = output;
                side = Ceiling(side, block.Stride);
            }
            stages.Add(blocks);
        }
        long last = MakeDivisible(LastExpansion * width);
        stages.Add(new Sequential(new ConvBnPRelu(channels, last)));
        _blocks = RegisterModule("blocks", new Sequential(stages.ToArray()));
        _classifier = RegisterModule("classifier", new ModifiedGdc(last, side, embeddingSize, convBias: stemStride == 1));
        InitialiseAsOfficial();
    }

    public double Width { get; }
    public int StemStride { get; }
    public int EmbeddingSize { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _act1.Forward(_bn1.Forward(_convStem.Forward(input)));
        return _classifier.Forward(_blocks.Forward(x)).MoveToOuterScope();
    }

    /// <summary>Channels rounded as <see cref="ChannelRounding"/> does, to multiples of 4 (the official code's divisor).</summary>
    public static long MakeDivisible(double value) => ChannelRounding.MakeDivisible(value, divisor: 4);

    private static long Ceiling(long size, int stride) => (size + stride - 1) / stride;

    // Keras's VarianceScaling(2.0, fan_out, truncated normal) in the backbone is a fan-out He normal; the head's 1x1
    // conv is Glorot normal. Batch norms start at 1 and 0, PReLU slopes at 0.25 (the Keras code's constant).
    private void InitialiseAsOfficial()
    {
        foreach (var (path, module) in NamedModules())
            if (module is Conv2d conv)
            {
                if (path == "classifier.conv")
                {
                    var (fanIn, fanOut) = Init.Fans(conv.Weight);
                    Init.Normal(conv.Weight, 0, Math.Sqrt(2.0 / (fanIn + fanOut)));
                }
                else Init.KaimingNormal(conv.Weight, fanIn: false, nonlinearity: "relu");
                if (conv.Bias is not null) Init.Constant(conv.Bias, 0);
            }
    }
}
