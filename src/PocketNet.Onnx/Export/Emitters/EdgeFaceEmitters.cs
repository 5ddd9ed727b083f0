using PocketNet.Models.EdgeFace;
using PocketNet.Onnx.Export.Graph;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>LayerNormalization over the last axis (opset 17).</summary>
internal sealed class LayerNormEmitter : ModuleEmitter<LayerNorm>
{
    protected override string Emit(EmitContext context, LayerNorm norm, string input) =>
        EdgeFaceNodes.LayerNormalization(context, input, norm.Weight, norm.Bias, norm.Eps);
}

/// <summary>LayerNorm2d: to channels-last, LayerNormalization, back to channels-first.</summary>
internal sealed class LayerNorm2dEmitter : ModuleEmitter<LayerNorm2d>
{
    protected override string Emit(EmitContext context, LayerNorm2d norm, string input)
    {
        string channelsLast = EdgeFaceNodes.Transpose(context, input, [0, 2, 3, 1], "channels_last");
        string normalised = EdgeFaceNodes.LayerNormalization(context, channelsLast, norm.Weight, norm.Bias, norm.Eps, "normalised");
        return EdgeFaceNodes.Transpose(context, normalised, [0, 3, 1, 2], null);
    }
}

/// <summary>Exact GELU as 0.5·x·(1 + erf(x/√2)), which every opset from 13 has (the Gelu operator needs 20); ONNX Runtime fuses it.</summary>
internal sealed class GELUEmitter : ModuleEmitter<GELU>
{
    protected override string Emit(EmitContext context, GELU gelu, string input)
    {
        if (gelu.TanhApproximation) throw new NotSupportedException($"'{context.Hint()}': GELU's tanh approximation has no ONNX emitter");
        OnnxGraph graph = context.Graph;
        string scaled = graph.Add("Div", context.Hint("scaled"), [input, graph.SharedConstant("const.sqrt2", ConstantTensor.FloatScalar(MathF.Sqrt(2)))]);
        string erf = graph.Add("Erf", context.Hint("erf"), [scaled]);
        string onePlus = graph.Add("Add", context.Hint("one_plus"), [erf, graph.SharedConstant("const.one", ConstantTensor.FloatScalar(1))]);
        string gated = graph.Add("Mul", context.Hint("gated"), [input, onePlus]);
        return graph.Add("Mul", context.Hint(), [gated, graph.SharedConstant("const.half", ConstantTensor.FloatScalar(0.5f))]);
    }
}

internal sealed class LowRankLinearEmitter : ModuleEmitter<LowRankLinear>
{
    protected override string Emit(EmitContext context, LowRankLinear layer, string input) =>
        context.EmitChild(layer, "linear2", context.EmitChild(layer, "linear1", input));
}

internal sealed class MlpEmitter : ModuleEmitter<Mlp>
{
    protected override string Emit(EmitContext context, Mlp mlp, string input) =>
        context.EmitChild(mlp, "fc2", context.EmitChild(mlp, "act", context.EmitChild(mlp, "fc1", input)));
}

/// <summary>GlobalAveragePool, LayerNorm over the channels, flatten, fc.</summary>
internal sealed class EmbeddingHeadEmitter : ModuleEmitter<EmbeddingHead>
{
    protected override string Emit(EmitContext context, EmbeddingHead head, string input)
    {
        string pooled = context.Graph.Add("GlobalAveragePool", context.Hint("pool"), [input]);
        string normalised = context.EmitChild(head, "norm", pooled);
        return context.EmitChild(head, "fc", context.Flatten(normalised));
    }
}

/// <summary>
/// EdgeFace walked stage by stage: the SDTA encoder's reshapes and its positional encoding depend on the feature
/// map's size, which the network knows (112 → 28 after the stem, halved by each later stage) and a block does not.
/// </summary>
internal sealed class EdgeFaceNetworkEmitter : ModuleEmitter<EdgeFaceNetwork>
{
    protected override string Emit(EmitContext context, EdgeFaceNetwork network, string input)
    {
        EdgeNeXt backbone = context.Child<EdgeNeXt>(network, "model");
        return context.Within("model", () =>
        {
            string x = context.EmitChild(backbone, "stem", input);
            long size = OnnxExporter.ImageSize / 4;
            Sequential stages = context.Child<Sequential>(backbone, "stages");
            x = context.Within("stages", () =>
            {
                string y = x;
                for (int i = 0; i < stages.Count; i++)
                {
                    if (i > 0) size /= 2;
                    var stage = (EdgeNeXtStage)stages[i];
                    y = context.Within(i.ToString(), () => EmitStage(context, stage, y, size));
                }
                return y;
            });
            return context.EmitChild(backbone, "head", x);
        });
    }

    private static string EmitStage(EmitContext context, EdgeNeXtStage stage, string input, long size)
    {
        string x = context.EmitChild(stage, "downsample", input);
        Sequential blocks = context.Child<Sequential>(stage, "blocks");
        return context.Within("blocks", () =>
        {
            for (int j = 0; j < blocks.Count; j++)
            {
                string y = x;
                x = blocks[j] switch
                {
                    ConvEncoder conv => context.Within(j.ToString(), () => EmitConvEncoder(context, conv, y)),
                    SdtaEncoder sdta => context.Within(j.ToString(), () => EmitSdtaEncoder(context, sdta, y, size)),
                    var other => throw new NotSupportedException($"'{context.Hint(j.ToString())}' is a {other.GetType().Name}, not an EdgeFace encoder"),
                };
            }
            return x;
        });
    }

    private static string EmitConvEncoder(EmitContext context, ConvEncoder block, string input)
    {
        string tokens = EdgeFaceNodes.Transpose(context, context.EmitChild(block, "conv_dw", input), [0, 2, 3, 1], "channels_last");
        string update = EdgeFaceNodes.Scale(context, context.EmitChild(block, "mlp", context.EmitChild(block, "norm", tokens)), block.Gamma, "gamma");
        return context.Add(input, EdgeFaceNodes.Transpose(context, update, [0, 3, 1, 2], "update"));
    }

    private static string EmitSdtaEncoder(EmitContext context, SdtaEncoder block, string input, long size)
    {
        OnnxGraph graph = context.Graph;
        long channels = block.Gamma.NumEl, tokenCount = size * size;
        string mixed = EmitSplitConvolutions(context, block, input, channels);

        string tokens = EdgeFaceNodes.Transpose(context,
            EdgeFaceNodes.Reshape(context, mixed, [0, channels, tokenCount], 3, "flat"), [0, 2, 1], "tokens");
        if (context.HasChild(block, "pos_embd"))
        {
            FourierPositionalEncoding positions = context.Child<FourierPositionalEncoding>(block, "pos_embd");
            tokens = context.Add(tokens, graph.AddInitializer(context.Hint("pos_embd"),
                ConstantTensor.Float(PositionTokens(positions, (int)size, channels), 1, tokenCount, channels)), "positioned");
        }
        string attended = EmitAttention(context, context.Child<CrossCovarianceAttention>(block, "xca"), context.EmitChild(block, "norm_xca", tokens), channels);
        tokens = context.Add(tokens, EdgeFaceNodes.Scale(context, attended, block.GammaXca, "gamma_xca"), "attended");

        string update = EdgeFaceNodes.Scale(context, context.EmitChild(block, "mlp", context.EmitChild(block, "norm", tokens)), block.Gamma, "gamma");
        string map = EdgeFaceNodes.Reshape(context, EdgeFaceNodes.Transpose(context, update, [0, 2, 1], "channels_first"),
            [0, channels, size, size], 4, "update");
        return context.Add(input, map);
    }

    // Channel groups by Slice; group i > 0 adds the previous group's output before its convolution; the last passes.
    private static string EmitSplitConvolutions(EmitContext context, SdtaEncoder block, string input, long channels)
    {
        var convs = context.Child<ModuleList<Conv2d>>(block, "convs");
        var outputs = new List<string>();
        string? previous = null;
        for (int i = 0; i <= convs.Count; i++)
        {
            long start = i * block.GroupWidth, end = Math.Min(channels, start + block.GroupWidth);
            string group = EdgeFaceNodes.SliceChannels(context, input, start, end, $"group{i}");
            if (i == convs.Count)
            {
                outputs.Add(group);
                break;
            }
            string convInput = previous is null ? group : context.Add(previous, group, $"cascade{i}");
            int index = i;
            previous = context.Within("convs", () => context.Emit(convs[index], index.ToString(), convInput));
            outputs.Add(previous);
        }
        return context.Concat(outputs, "split_convs");
    }

    // Tokens [B, N, C] -> per head q, k, v [B, h, d, N]; softmax(normalise(q)·normalise(k)ᵀ · temperature)·v, back to [B, N, C].
    // LpNormalization has no epsilon (F.normalize clamps the norm at 1e-12): they differ only on an all-zero row.
    private static string EmitAttention(EmitContext context, CrossCovarianceAttention xca, string input, long channels) => context.Within("xca", () =>
    {
        OnnxGraph graph = context.Graph;
        long heads = xca.Heads, width = channels / heads;
        string qkv = EdgeFaceNodes.Reshape(context, context.EmitChild(xca, "qkv", input), [0, 0, 3, heads, width], 5, "qkv_heads");
        qkv = EdgeFaceNodes.Transpose(context, qkv, [2, 0, 3, 4, 1], "qkv_transposed");
        string Part(long index, string name) => graph.Add("Gather", context.Hint(name),
            [qkv, graph.SharedConstant($"const.index{index}", ConstantTensor.Int64([index]))],
            new Dictionary<string, AttributeValue> { ["axis"] = 0L }, outputRank: 4);
        string Normalised(string x, string name) => graph.Add("LpNormalization", context.Hint(name), [x],
            new Dictionary<string, AttributeValue> { ["axis"] = -1L, ["p"] = 2L });

        string q = Normalised(Part(0, "q"), "q_normalised"), k = Normalised(Part(1, "k"), "k_normalised"), v = Part(2, "v");
        string affinity = graph.Add("MatMul", context.Hint("affinity"), [q, EdgeFaceNodes.Transpose(context, k, [0, 1, 3, 2], "k_transposed")]);
        string temperature = graph.AddInitializer(context.Hint("temperature"), ConstantTensor.Float(EmitContext.Floats(xca.Temperature), heads, 1, 1));
        string attention = graph.Add("Softmax", context.Hint("attention"), [graph.Add("Mul", context.Hint("tempered"), [affinity, temperature])],
            new Dictionary<string, AttributeValue> { ["axis"] = -1L });
        string mixed = EdgeFaceNodes.Transpose(context, graph.Add("MatMul", context.Hint("mixed"), [attention, v]), [0, 3, 1, 2], "mixed_tokens");
        return context.EmitChild(xca, "proj", EdgeFaceNodes.Reshape(context, mixed, [0, 0, channels], 3, "merged"));
    });

    private static float[] PositionTokens(FourierPositionalEncoding positions, int size, long channels)
    {
        using var scope = DisposeScope.Enter();
        float[] channelsFirst = EmitContext.Floats(positions.Forward(1, size, size)); // [1, C, H, W]
        long tokenCount = (long)size * size;
        var tokens = new float[channelsFirst.Length];
        for (long c = 0; c < channels; c++)
            for (long n = 0; n < tokenCount; n++)
                tokens[n * channels + c] = channelsFirst[c * tokenCount + n];
        return tokens;
    }
}

/// <summary>Nodes the EdgeFace emitters share.</summary>
internal static class EdgeFaceNodes
{
    public static string LayerNormalization(EmitContext context, string input, Tensor weight, Tensor bias, double eps, string? leaf = null)
    {
        OnnxGraph graph = context.Graph;
        graph.RequireOpset(17, "LayerNormalization");
        string scale = graph.AddInitializer(context.Hint("weight"), ConstantTensor.Float(EmitContext.Floats(weight), weight.Shape));
        string shift = graph.AddInitializer(context.Hint("bias"), ConstantTensor.Float(EmitContext.Floats(bias), bias.Shape));
        return graph.Add("LayerNormalization", context.Hint(leaf), [input, scale, shift],
            new Dictionary<string, AttributeValue> { ["axis"] = -1L, ["epsilon"] = (float)eps });
    }

    public static string Transpose(EmitContext context, string input, long[] permutation, string? leaf) =>
        context.Graph.Add("Transpose", context.Hint(leaf), [input], new Dictionary<string, AttributeValue> { ["perm"] = permutation },
            outputRank: permutation.Length);

    /// <summary>Reshape to <paramref name="shape"/>, where 0 keeps the input's dimension (the batch).</summary>
    public static string Reshape(EmitContext context, string input, long[] shape, int rank, string leaf) =>
        context.Graph.Add("Reshape", context.Hint(leaf), [input, context.Graph.SharedConstant("const.shape", ConstantTensor.Int64Vector(shape))],
            outputRank: rank);

    /// <summary>Multiplies channels-last values by a per-channel layer scale.</summary>
    public static string Scale(EmitContext context, string input, Tensor gamma, string name) =>
        context.Graph.Add("Mul", context.Hint(name + "_scaled"),
            [input, context.Graph.AddInitializer(context.Hint(name), ConstantTensor.Float(EmitContext.Floats(gamma), gamma.NumEl))]);

    public static string SliceChannels(EmitContext context, string input, long start, long end, string leaf)
    {
        OnnxGraph graph = context.Graph;
        return graph.Add("Slice", context.Hint(leaf),
        [
            input,
            graph.SharedConstant("const.start", ConstantTensor.Int64Vector(start)),
            graph.SharedConstant("const.end", ConstantTensor.Int64Vector(end)),
            graph.SharedConstant("const.axis1", ConstantTensor.Int64Vector(1)),
        ]);
    }
}
