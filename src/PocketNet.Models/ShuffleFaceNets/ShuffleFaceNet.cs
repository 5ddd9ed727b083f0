using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.ShuffleFaceNets;

/// <summary>
/// ShuffleFaceNet (Martínez-Díaz et al., ICCVW 2019, Table 1): ShuffleNetV2 for 112x112 faces. A 3x3 stride-2 conv to
/// 24 channels (BN, PReLU; no max pooling), stages 2-4 of 4, 8 and 4 shuffle units (each opening with stride 2) to the
/// width multiplier's channels, a 1x1 conv to 1024 (conv5, BN, PReLU), a 7x7 global depthwise conv with BN (gdconv)
/// instead of global average pooling, and a linear 1x1 conv to the embedding with BN. The authors published no code;
/// module names follow torchvision's ShuffleNetV2 (conv1, stage2..4, conv5) and MobileFaceNet's head (gdconv, linear, bn).
/// </summary>
public sealed class ShuffleFaceNet : Module<Tensor, Tensor>
{
    /// <summary>Units per stage (stages 2, 3, 4).</summary>
    public static readonly IReadOnlyList<int> StageUnits = [4, 8, 4];

    private const int StemWidth = 24, HeadWidth = 1024;

    private readonly Sequential _conv1, _conv5, _gdconv;
    private readonly Sequential[] _stages;
    private readonly Conv2d _linear;
    private readonly BatchNorm2d _bn;

    public ShuffleFaceNet(double widthMultiplier, int embeddingSize = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        (WidthMultiplier, EmbeddingSize) = (widthMultiplier, embeddingSize);
        IReadOnlyList<long> widths = StageWidths(widthMultiplier);

        _conv1 = RegisterModule("conv1", new Sequential(
            new Conv2d(3, StemWidth, 3, 2, 1, bias: false), new BatchNorm2d(StemWidth), new PReLU(StemWidth)));
        long width = StemWidth;
        _stages = new Sequential[StageUnits.Count];
        for (int s = 0; s < StageUnits.Count; s++)
        {
            var stage = new Sequential();
            for (int u = 0; u < StageUnits[s]; u++)
            {
                stage.Append(new ShuffleUnit(width, widths[s], u == 0 ? 2 : 1));
                width = widths[s];
            }
            _stages[s] = RegisterModule($"stage{s + 2}", stage);
        }
        _conv5 = RegisterModule("conv5", new Sequential(
            new Conv2d(width, HeadWidth, 1, bias: false), new BatchNorm2d(HeadWidth), new PReLU(HeadWidth)));
        _gdconv = RegisterModule("gdconv", new Sequential(
            new Conv2d(HeadWidth, HeadWidth, 7, groups: HeadWidth, bias: false), new BatchNorm2d(HeadWidth)));
        _linear = RegisterModule("linear", new Conv2d(HeadWidth, embeddingSize, 1, bias: false));
        _bn = RegisterModule("bn", new BatchNorm2d(embeddingSize));

        // convolutions kaiming-normal over fan_out as torchvision's ShuffleNetV2 and MobileFaceNet; BN at 1 and 0
        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv) Init.KaimingNormal(conv.Weight, fanIn: false);
    }

    public double WidthMultiplier { get; }
    public int EmbeddingSize { get; }

    /// <summary>Output channels of stages 2, 3 and 4 for the published multipliers (ShuffleNetV2's Table 5).</summary>
    public static IReadOnlyList<long> StageWidths(double widthMultiplier) => widthMultiplier switch
    {
        0.5 => [48, 96, 192],
        1.0 => [116, 232, 464],
        1.5 => [176, 352, 704],
        2.0 => [244, 488, 976],
        _ => throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "ShuffleFaceNet comes in widths 0.5, 1, 1.5 and 2"),
    };

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _conv1.Forward(input);
        foreach (Sequential stage in _stages) x = stage.Forward(x);
        x = _bn.Forward(_linear.Forward(_gdconv.Forward(_conv5.Forward(x))));
        return x.Flatten(1).MoveToOuterScope();
    }
}
