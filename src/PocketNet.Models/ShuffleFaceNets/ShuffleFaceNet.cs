using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.ShuffleFaceNets;

/// <summary>
/// ShuffleFaceNet (Martínez-Díaz et al., ICCV Workshops 2019): ShuffleNetV2 for 112x112 faces. A 3x3 stride-2 conv
/// to 24 channels (no max pooling, so the last map is 7x7), three stages of shuffle units (4, 8 and 4, each opening
/// with a stride-2 unit), a 1x1 conv to 1024 channels, and MobileFaceNet's head: a 7x7 global depthwise conv and BN,
/// a linear 1x1 conv to the 128-d embedding and BN; every ReLU a PReLU. The four sizes are ShuffleNetV2's
/// complexities 0.5x, 1x, 1.5x and 2x. The authors released no code: the wiring is the paper's, and the keys follow
/// torchvision's ShuffleNetV2 (conv1, stage2..stage4, conv5) with the head as gdc and linear.
/// </summary>
public sealed class ShuffleFaceNet : Module<Tensor, Tensor>
{
    /// <summary>Stage widths by complexity (ShuffleNetV2's table 5): conv1, stage2, stage3, stage4, conv5.</summary>
    public static readonly IReadOnlyDictionary<double, long[]> Widths = new Dictionary<double, long[]>
    {
        [0.5] = [24, 48, 96, 192, 1024],
        [1.0] = [24, 116, 232, 464, 1024],
        [1.5] = [24, 176, 352, 704, 1024],
        // ShuffleNetV2 2x widens conv5 to 2048; ShuffleFaceNet's 4.5 M parameters and 1.05 GFLOPs say it keeps 1024.
        [2.0] = [24, 244, 488, 976, 1024],
    };

    public static readonly IReadOnlyList<int> UnitsPerStage = [4, 8, 4];

    private readonly Sequential _conv1, _stage2, _stage3, _stage4, _conv5, _gdc, _linear;

    public ShuffleFaceNet(double complexity = 1.0, int embeddingSize = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        if (!Widths.TryGetValue(complexity, out long[]? widths))
            throw new ArgumentOutOfRangeException(nameof(complexity), complexity, $"ShuffleFaceNet comes in {string.Join(", ", Widths.Keys.Select(k => $"{k}x"))}");
        (Complexity, EmbeddingSize) = (complexity, embeddingSize);

        _conv1 = RegisterModule("conv1", ConvBnPRelu(3, widths[0], kernelSize: 3, stride: 2, padding: 1));
        long channels = widths[0];
        var stages = new Sequential[3];
        for (int s = 0; s < stages.Length; s++)
        {
            stages[s] = new Sequential();
            for (int u = 0; u < UnitsPerStage[s]; u++)
            {
                stages[s].Append(new ShuffleUnit(channels, widths[s + 1], u == 0 ? 2 : 1));
                channels = widths[s + 1];
            }
        }
        _stage2 = RegisterModule("stage2", stages[0]);
        _stage3 = RegisterModule("stage3", stages[1]);
        _stage4 = RegisterModule("stage4", stages[2]);
        long last = widths[4];
        _conv5 = RegisterModule("conv5", ConvBnPRelu(channels, last, kernelSize: 1, stride: 1, padding: 0));
        _gdc = RegisterModule("gdc", new Sequential(new Conv2d(last, last, 7, groups: last, bias: false), new BatchNorm2d(last)));
        _linear = RegisterModule("linear", new Sequential(new Conv2d(last, embeddingSize, 1, bias: false), new BatchNorm2d(embeddingSize)));
        InitialiseAsMobileFaceNet();
    }

    public double Complexity { get; }
    public int EmbeddingSize { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _conv5.Forward(_stage4.Forward(_stage3.Forward(_stage2.Forward(_conv1.Forward(input)))));
        return _linear.Forward(_gdc.Forward(x)).Flatten(1).MoveToOuterScope();
    }

    private static Sequential ConvBnPRelu(long inChannels, long outChannels, int kernelSize, int stride, int padding) => new(
        new Conv2d(inChannels, outChannels, kernelSize, stride, padding, bias: false), new BatchNorm2d(outChannels), new PReLU(outChannels));

    // As MobileFaceNet's reference (the paper trains it the same way): fan-out He normal for convolutions.
    private void InitialiseAsMobileFaceNet()
    {
        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv) Init.KaimingNormal(conv.Weight, fanIn: false);
    }
}
