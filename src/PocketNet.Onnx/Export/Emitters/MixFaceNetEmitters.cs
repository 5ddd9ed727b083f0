using PocketNet.Models.MixFaceNets;
using PocketNet.Onnx.Export.Graph;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

// MixFaceNets and ShuffleMixFaceNets (src/PocketNet.Models/MixFaceNets) and the leaf layers they brought to the engine.

/// <summary>features, tail, feautre_layer, flatten, features_norm (BatchNorm1d).</summary>
internal sealed class MixFaceNetEmitter : ModuleEmitter<MixFaceNet>
{
    protected override string Emit(EmitContext context, MixFaceNet network, string input)
    {
        string x = context.EmitChild(network, "feautre_layer", context.EmitChild(network, "tail", context.EmitChild(network, "features", input)));
        return context.EmitChild(network, "features_norm", context.Flatten(x));
    }
}

/// <summary>The named children in registration order, which is their forward order.</summary>
internal sealed class NamedSequenceEmitter : ModuleEmitter<NamedSequence>
{
    protected override string Emit(EmitContext context, NamedSequence sequence, string input)
    {
        string x = input;
        foreach (var (name, child) in sequence.NamedChildren()) x = context.Emit(child, name, x);
        return x;
    }
}

internal sealed class MixInitBlockEmitter : ModuleEmitter<MixInitBlock>
{
    protected override string Emit(EmitContext context, MixInitBlock block, string input) =>
        context.EmitChild(block, "conv2", context.EmitChild(block, "conv1", input));
}

/// <summary>conv, then bn and activ where the block has them.</summary>
internal sealed class ConvBlockEmitter : ModuleEmitter<ConvBlock>
{
    protected override string Emit(EmitContext context, ConvBlock block, string input)
    {
        string x = context.EmitChild(block, "conv", input);
        foreach (string child in new[] { "bn", "activ" })
            if (context.HasChild(block, child)) x = context.EmitChild(block, child, x);
        return x;
    }
}

internal sealed class MixConvBlockEmitter : ModuleEmitter<MixConvBlock>
{
    protected override string Emit(EmitContext context, MixConvBlock block, string input)
    {
        string x = context.EmitChild(block, "bn", context.EmitChild(block, "conv", input));
        return context.HasChild(block, "activ") ? context.EmitChild(block, "activ", x) : x;
    }
}

/// <summary>
/// Each channel group sliced out of the input (Slice on axis 1), convolved by its own Conv, and the results
/// concatenated. Slices rather than Split: Split's form changed at opset 13 and 18, a Slice's did not.
/// </summary>
internal sealed class MixConvEmitter : ModuleEmitter<MixConv>
{
    protected override string Emit(EmitContext context, MixConv mixConv, string input)
    {
        IReadOnlyList<long> split = mixConv.InputSplit;
        if (split.Count == 1) return context.EmitChild(mixConv, "0", input);
        OnnxGraph graph = context.Graph;
        var outputs = new List<string>();
        long start = 0;
        for (int i = 0; i < split.Count; i++)
        {
            string part = context.Within(i.ToString(), () => graph.Add("Slice", context.Hint("slice"),
            [
                input,
                graph.SharedConstant("const.slice_start", ConstantTensor.Int64Vector(start)),
                graph.SharedConstant("const.slice_end", ConstantTensor.Int64Vector(start + split[i])),
                graph.SharedConstant("const.channel_axis", ConstantTensor.Int64Vector(1)),
            ]));
            outputs.Add(context.EmitChild(mixConv, i.ToString(), part));
            start += split[i];
        }
        return context.Concat(outputs);
    }
}

/// <summary>GlobalAveragePool, conv1, activ, conv2, sigmoid, and the input scaled by the result (Mul).</summary>
internal sealed class SqueezeExcitationEmitter : ModuleEmitter<SqueezeExcitation>
{
    protected override string Emit(EmitContext context, SqueezeExcitation block, string input)
    {
        string weights = input;
        foreach (string child in new[] { "pool", "conv1", "activ", "conv2", "sigmoid" })
            weights = context.EmitChild(block, child, weights);
        return context.Graph.Add("Mul", context.Hint("scale"), [input, weights]);
    }
}

/// <summary>exp_conv (when there), conv1, se (when there), conv2, the input added when the shape is kept, the shuffle.</summary>
internal sealed class MixUnitEmitter : ModuleEmitter<MixUnit>
{
    protected override string Emit(EmitContext context, MixUnit unit, string input)
    {
        string x = input;
        foreach (string child in new[] { "exp_conv", "conv1", "se", "conv2" })
            if (context.HasChild(unit, child)) x = context.EmitChild(unit, child, x);
        if (unit.HasResidual) x = context.Add(x, input);
        return unit.Spec.Shuffle ? ChannelShuffleEmitter.Emit(context, x, unit.Spec.OutChannels, unit.ShuffleGroups) : x;
    }
}

/// <summary>
/// A channel shuffle as one Gather of the permuted channel indices on axis 1: the same permutation as the engine's
/// reshape-transpose-reshape, without needing the spatial size for the reshapes (the graph does not track it).
/// </summary>
internal static class ChannelShuffleEmitter
{
    public static string Emit(EmitContext context, string input, long channels, long groups)
    {
        long perGroup = channels / groups;
        // output channel j * groups + g reads input channel g * perGroup + j
        long[] order = new long[channels];
        for (long j = 0; j < perGroup; j++)
            for (long g = 0; g < groups; g++)
                order[j * groups + g] = g * perGroup + j;
        string indices = context.Graph.AddInitializer(context.Hint("shuffle.indices"), ConstantTensor.Int64(order, channels));
        return context.Graph.Add("Gather", context.Hint("shuffle"), [input, indices], new Dictionary<string, AttributeValue> { ["axis"] = 1L });
    }
}

internal sealed class SigmoidEmitter : ModuleEmitter<Sigmoid>
{
    protected override string Emit(EmitContext context, Sigmoid sigmoid, string input) => context.Graph.Add("Sigmoid", context.Hint(), [input]);
}

/// <summary>x * Sigmoid(x).</summary>
internal sealed class SwishEmitter : ModuleEmitter<Swish>
{
    protected override string Emit(EmitContext context, Swish swish, string input) =>
        context.Graph.Add("Mul", context.Hint(), [input, context.Graph.Add("Sigmoid", context.Hint("sigmoid"), [input])]);
}

/// <summary>x * HardSigmoid(x) with alpha 1/6 and beta 1/2 (the HardSwish operator needs opset 14; this form any).</summary>
internal sealed class HardSwishEmitter : ModuleEmitter<HardSwish>
{
    protected override string Emit(EmitContext context, HardSwish hardSwish, string input)
    {
        string gate = context.Graph.Add("HardSigmoid", context.Hint("gate"), [input],
            new Dictionary<string, AttributeValue> { ["alpha"] = 1f / 6, ["beta"] = 0.5f });
        return context.Graph.Add("Mul", context.Hint(), [input, gate]);
    }
}

/// <summary>GlobalAveragePool; other output sizes have no single ONNX operator and are refused.</summary>
internal sealed class AdaptiveAvgPool2dEmitter : ModuleEmitter<AdaptiveAvgPool2d>
{
    protected override string Emit(EmitContext context, AdaptiveAvgPool2d pool, string input) =>
        pool is { OutputHeight: 1, OutputWidth: 1 }
            ? context.Graph.Add("GlobalAveragePool", context.Hint(), [input])
            : throw new NotSupportedException($"'{context.Hint()}': adaptive average pooling to {pool.OutputHeight}x{pool.OutputWidth} has no ONNX export (only 1x1)");
}
