using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// MixFaceNet and ShuffleMixFaceNet (Boutros et al., IJCB 2021) with the module tree of the official code
/// (fdbtrs/mixfacenets, backbones/mixnetm.py), so its checkpoints load: <c>features</c> (init_block, then stage1..4 of
/// MixNet units; PReLU in the stem and stage 1, Swish after), <c>tail</c> (1x1 conv to the head width, BN, PReLU),
/// <c>feautre_layer</c> (sic: a 7x7 depthwise conv with BN, then a 1x1 conv to the embedding; the official key keeps
/// the misspelling) and <c>features_norm</c> (BatchNorm1d with its scale frozen at 1). ShuffleMixFaceNets close every
/// unit with a channel shuffle. Input 112x112 reaches the head at 7x7.
/// </summary>
public sealed class MixFaceNet : Module<Tensor, Tensor>
{
    private readonly NamedSequence _features;
    private readonly ConvBlock _tail;
    private readonly NamedSequence _embedding;
    private readonly BatchNorm1d _featuresNorm;

    public MixFaceNet(MixFaceNetSize size, bool shuffle, int embeddingSize = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        (Size, Shuffle, EmbeddingSize) = (size, shuffle, embeddingSize);
        MixFaceNetLayout layout = MixFaceNetLayout.Of(size);

        long width = layout.Scaled(layout.StemChannels);
        _features = RegisterModule("features", new NamedSequence().Append("init_block", new MixInitBlock(width)));
        for (int i = 0; i < layout.Channels.Length; i++)
        {
            var stage = new NamedSequence();
            for (int j = 0; j < layout.Channels[i].Length; j++)
            {
                long outChannels = layout.Scaled(layout.Channels[i][j]);
                stage.Append($"unit{j + 1}", new MixUnit(new MixUnitSpec(width, outChannels, layout.StrideOf(i, j),
                    layout.ExpansionKernels[i][j], layout.DepthwiseKernels[i][j], layout.ProjectionKernels[i][j],
                    layout.Expansions[i][j], layout.SqueezeFactors[i][j], i == 0 ? MixActivation.PReLU : MixActivation.Swish, shuffle)));
                width = outChannels;
            }
            _features.Append($"stage{i + 1}", stage);
        }

        _tail = RegisterModule("tail", ConvBlock.Pointwise(width, layout.HeadChannels, MixActivation.PReLU));
        _embedding = RegisterModule("feautre_layer", new NamedSequence()
            .Append("dw_conv", ConvBlock.Depthwise(layout.HeadChannels, 7, stride: 1, padding: 0, activation: null))
            .Append("pw_conv", ConvBlock.Pointwise(layout.HeadChannels, embeddingSize, activation: null, batchNorm: false)));
        _featuresNorm = RegisterModule("features_norm", new BatchNorm1d(embeddingSize, eps: 1e-5));

        InitialiseAsReference();
    }

    public MixFaceNetSize Size { get; }
    public bool Shuffle { get; }
    public int EmbeddingSize { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = _embedding.Forward(_tail.Forward(_features.Forward(input)));
        return _featuresNorm.Forward(x.Flatten(1)).MoveToOuterScope();
    }

    // The official _init_params: convolutions kaiming-uniform (gain sqrt 2, fan in) with zero bias, BatchNorm2d at 1
    // and 0; the embedding BN's scale is 1 and frozen (it stays in the state_dict, outside the parameter count).
    private void InitialiseAsReference()
    {
        using var noGrad = Engine.NoGrad();
        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv)
            {
                Init.KaimingUniform(conv.Weight);
                if (conv.Bias is not null) Init.Constant(conv.Bias, 0);
            }
        Init.Constant(_featuresNorm.Weight!, 1);
        _featuresNorm.Weight!.RequiresGrad = false;
    }
}
