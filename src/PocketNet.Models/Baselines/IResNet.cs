using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// ArcFace's iResNet (insightface arcface_torch, as vendored by the PocketNet reference), the teacher of
/// PocketNet's knowledge distillation: a stride-1 3x3 stem (64) with BN and PReLU, four stages of
/// <see cref="IBasicBlock"/> at 64/128/256/512 channels each opened by a stride-2 block, then BN, flatten,
/// dropout, a linear layer from 512x7x7 to the embedding and a BatchNorm1d whose scale is fixed at 1
/// (frozen: kept in the state_dict, not trained, not counted by <see cref="Module.ParameterCount"/>).
/// Input must be 112x112. The reference's fp16 autocast option is not reproduced.
/// Keys: conv1, bn1, prelu, layer1..layer4, bn2, fc, features.
/// </summary>
public sealed class IResNet : Module<Tensor, Tensor>
{
    private const int FeatureMapSize = 7;
    private static readonly int[] StageWidths = [64, 128, 256, 512];

    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1, _bn2;
    private readonly PReLU _prelu;
    private readonly Sequential[] _stages;
    private readonly Dropout _dropout;
    private readonly Linear _fc;
    private readonly BatchNorm1d _features;

    /// <param name="blocksPerStage">Blocks in layer1..layer4 (see <see cref="BlocksOf"/>).</param>
    /// <param name="dropout">Dropout before the linear layer; the reference's default is 0.</param>
    public IResNet(IReadOnlyList<int> blocksPerStage, int embeddingSize = 512, double dropout = 0)
    {
        if (blocksPerStage.Count != StageWidths.Length || blocksPerStage.Any(n => n < 1))
            throw new ArgumentException("iResNet needs four stages of at least one block each", nameof(blocksPerStage));
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        (BlocksPerStage, EmbeddingSize) = (blocksPerStage.ToArray(), embeddingSize);

        _conv1 = RegisterModule("conv1", new Conv2d(3, StageWidths[0], 3, padding: 1, bias: false));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(StageWidths[0], eps: 1e-5));
        _prelu = RegisterModule("prelu", new PReLU(StageWidths[0]));
        _stages = new Sequential[StageWidths.Length];
        long width = StageWidths[0];
        for (int s = 0; s < StageWidths.Length; s++)
        {
            var stage = new Sequential(new IBasicBlock(width, StageWidths[s], stride: 2));
            for (int b = 1; b < blocksPerStage[s]; b++) stage.Append(new IBasicBlock(StageWidths[s], StageWidths[s]));
            _stages[s] = RegisterModule($"layer{s + 1}", stage);
            width = StageWidths[s];
        }
        _bn2 = RegisterModule("bn2", new BatchNorm2d(width, eps: 1e-5));
        _dropout = RegisterModule("dropout", new Dropout(dropout));
        _fc = RegisterModule("fc", new Linear(width * FeatureMapSize * FeatureMapSize, embeddingSize));
        _features = RegisterModule("features", new BatchNorm1d(embeddingSize, eps: 1e-5));

        InitialiseAsReference();
    }

    public IReadOnlyList<int> BlocksPerStage { get; }
    public int EmbeddingSize { get; }
    public double DropoutProbability => _dropout.P;

    /// <summary>Blocks per stage of iresnet18, 34, 50 and 100.</summary>
    public static int[] BlocksOf(int depth) => depth switch
    {
        18 => [2, 2, 2, 2],
        34 => [3, 4, 6, 3],
        50 => [3, 4, 14, 3],
        100 => [3, 13, 30, 3],
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "iResNet depth must be 18, 34, 50 or 100"),
    };

    public static IResNet Create(int depth, int embeddingSize = 512, double dropout = 0) => new(BlocksOf(depth), embeddingSize, dropout);
    public static IResNet IResNet18(int embeddingSize = 512, double dropout = 0) => Create(18, embeddingSize, dropout);
    public static IResNet IResNet34(int embeddingSize = 512, double dropout = 0) => Create(34, embeddingSize, dropout);
    public static IResNet IResNet50(int embeddingSize = 512, double dropout = 0) => Create(50, embeddingSize, dropout);
    public static IResNet IResNet100(int embeddingSize = 512, double dropout = 0) => Create(100, embeddingSize, dropout);

    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4 || input.Size(2) != 16 * FeatureMapSize || input.Size(3) != 16 * FeatureMapSize)
            throw new ArgumentException($"iResNet takes [N, 3, 112, 112] images, got [{string.Join(", ", input.Shape)}]", nameof(input));
        using var scope = DisposeScope.Enter();
        Tensor x = _prelu.Forward(_bn1.Forward(_conv1.Forward(input)));
        foreach (Sequential stage in _stages) x = stage.Forward(x);
        x = _dropout.Forward(_bn2.Forward(x).Flatten(1));
        return _features.Forward(_fc.Forward(x)).MoveToOuterScope();
    }

    // Convolutions N(0, 0.1); 2-D batch norms 1 and 0; the linear layer keeps PyTorch's default init;
    // the embedding BN's scale is 1 and frozen, as the reference sets requires_grad = False on it.
    private void InitialiseAsReference()
    {
        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv) Init.Normal(conv.Weight, 0, 0.1);
        Tensor scale = _features.Weight!;
        Init.Constant(scale, 1);
        scale.RequiresGrad = false;
    }
}
