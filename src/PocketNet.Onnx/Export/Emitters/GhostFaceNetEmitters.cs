using PocketNet.Models.GhostFaceNets;
using PocketNet.Onnx.Export.Graph;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>conv_stem, bn1, act1, the bottleneck stages, the modified GDC head.</summary>
internal sealed class GhostFaceNetV1Emitter : ModuleEmitter<GhostFaceNetV1>
{
    protected override string Emit(EmitContext context, GhostFaceNetV1 network, string input)
    {
        string x = input;
        foreach (string child in new[] { "conv_stem", "bn1", "act1", "blocks", "classifier" })
            x = context.EmitChild(network, child, x);
        return x;
    }
}

/// <summary>The intrinsic maps and their depthwise ghosts, concatenated on the channels.</summary>
internal sealed class GhostModuleEmitter : ModuleEmitter<GhostModule>
{
    protected override string Emit(EmitContext context, GhostModule module, string input)
    {
        string intrinsic = context.EmitChild(module, "primary_conv", input);
        return context.Concat([intrinsic, context.EmitChild(module, "cheap_operation", intrinsic)]);
    }
}

/// <summary>GlobalAveragePool, conv, PReLU, conv, HardSigmoid (ONNX's default slope 0.2 and offset 0.5 are Keras's), Mul.</summary>
internal sealed class GhostSqueezeExciteEmitter : ModuleEmitter<GhostSqueezeExcite>
{
    protected override string Emit(EmitContext context, GhostSqueezeExcite se, string input)
    {
        string x = context.Graph.Add("GlobalAveragePool", context.Hint("pool"), [input]);
        foreach (string child in new[] { "conv_reduce", "act1", "conv_expand" })
            x = context.EmitChild(se, child, x);
        string gate = context.Graph.Add("HardSigmoid", context.Hint("gate"), [x], new Dictionary<string, AttributeValue>
        {
            ["alpha"] = (float)GhostSqueezeExcite.HardSigmoidSlope,
            ["beta"] = (float)GhostSqueezeExcite.HardSigmoidOffset,
        });
        return context.Graph.Add("Mul", context.Hint("scale"), [input, gate]);
    }
}

/// <summary>ghost1, [conv_dw, bn_dw], [se], ghost2, plus the input or its shortcut projection.</summary>
internal sealed class GhostBottleneckEmitter : ModuleEmitter<GhostBottleneck>
{
    protected override string Emit(EmitContext context, GhostBottleneck block, string input)
    {
        string x = input;
        foreach (string child in new[] { "ghost1", "conv_dw", "bn_dw", "se", "ghost2" })
            if (context.HasChild(block, child)) x = context.EmitChild(block, child, x);
        string shortcut = block.HasProjectionShortcut ? context.EmitChild(block, "shortcut", input) : input;
        return context.Add(x, shortcut);
    }
}

internal sealed class GhostConvBnPReluEmitter : ModuleEmitter<ConvBnPRelu>
{
    protected override string Emit(EmitContext context, ConvBnPRelu module, string input) =>
        context.EmitChild(module, "act1", context.EmitChild(module, "bn1", context.EmitChild(module, "conv", input)));
}

/// <summary>conv_dw, bn1, conv, flatten, bn2.</summary>
internal sealed class ModifiedGdcEmitter : ModuleEmitter<ModifiedGdc>
{
    protected override string Emit(EmitContext context, ModifiedGdc head, string input)
    {
        string x = input;
        foreach (string child in new[] { "conv_dw", "bn1", "conv" })
            x = context.EmitChild(head, child, x);
        return context.EmitChild(head, "bn2", context.Flatten(x));
    }
}
