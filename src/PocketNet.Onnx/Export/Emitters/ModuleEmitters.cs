using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>Writes the ONNX nodes of one kind of module on a given input value and returns its output value.</summary>
internal interface IModuleEmitter
{
    Type ModuleType { get; }

    string Emit(EmitContext context, Module module, string input);
}

/// <summary>An emitter for modules of type <typeparamref name="TModule"/>.</summary>
internal abstract class ModuleEmitter<TModule> : IModuleEmitter where TModule : Module
{
    public Type ModuleType => typeof(TModule);

    public string Emit(EmitContext context, Module module, string input) => Emit(context, (TModule)module, input);

    protected abstract string Emit(EmitContext context, TModule module, string input);
}

/// <summary>
/// The emitter of each module type: leaf layers map to one or two ONNX operators; composite modules
/// (Sequential, cells, blocks, whole networks) emit their children in forward order. A module type is
/// matched exactly first, then through its base classes (one emitter serves BatchNorm1d and BatchNorm2d).
/// </summary>
internal sealed class ModuleEmitters
{
    private readonly Dictionary<Type, IModuleEmitter> _byType = new();

    public ModuleEmitters(IEnumerable<IModuleEmitter> emitters)
    {
        foreach (IModuleEmitter emitter in emitters) _byType.Add(emitter.ModuleType, emitter);
    }

    /// <summary>Every module of the registry's networks (PocketNet cell networks, MobileFaceNet, iResNet, GhostFaceNetV1, ShuffleFaceNet, MixFaceNets).</summary>
    public static ModuleEmitters Default { get; } = new(
    [
        // leaf layers
        new Conv2dEmitter(), new BatchNormEmitter(), new PReLUEmitter(), new ReLUEmitter(), new ReLU6Emitter(),
        new LinearEmitter(), new DropoutEmitter(), new IdentityEmitter(), new SequentialEmitter(),
        // the DARTS search space and cells
        new DepthwiseSeparableConvEmitter(), new FactorizedReduceEmitter(), new PoolBatchNormEmitter(), new ZeroEmitter(),
        new CellNetworkEmitter(),
        // baselines
        new MobileFaceNetEmitter(), new SeparableConvBnReluEmitter(), new InvertedResidualEmitter(), new GlobalDepthwiseConvEmitter(),
        new IResNetEmitter(), new IBasicBlockEmitter(),
        // the compared compact networks
        new GhostFaceNetV1Emitter(), new GhostModuleEmitter(), new GhostSqueezeExciteEmitter(), new GhostBottleneckEmitter(),
        new GhostConvBnPReluEmitter(), new ModifiedGdcEmitter(), new ShuffleFaceNetEmitter(), new ShuffleUnitEmitter(),
        // EdgeFace
        new LayerNormEmitter(), new LayerNorm2dEmitter(), new GELUEmitter(), new LowRankLinearEmitter(), new MlpEmitter(),
        new EmbeddingHeadEmitter(), new EdgeFaceNetworkEmitter(),
        // MixFaceNets and ShuffleMixFaceNets, and their leaf layers
        new MixFaceNetEmitter(), new NamedSequenceEmitter(), new MixInitBlockEmitter(), new MixUnitEmitter(), new ConvBlockEmitter(),
        new MixConvBlockEmitter(), new MixConvEmitter(), new SqueezeExcitationEmitter(),
        new SigmoidEmitter(), new SwishEmitter(), new HardSwishEmitter(), new AdaptiveAvgPool2dEmitter(),
    ]);

    public IModuleEmitter For(Module module, string path)
    {
        for (Type? type = module.GetType(); type is not null; type = type.BaseType)
            if (_byType.TryGetValue(type, out IModuleEmitter? emitter)) return emitter;
        throw new NotSupportedException(
            $"ONNX export has no emitter for {module.GetType().Name} (at '{(path.Length == 0 ? "<network>" : path)}'); " +
            $"supported modules: {string.Join(", ", _byType.Keys.Select(t => t.Name).Order(StringComparer.Ordinal))}");
    }
}
