using PocketNet.Models.Baselines;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>MobileFaceNet in forward order (which is not its registration order): conv1, dw_conv, features, conv2, gdconv, conv3, bn, flatten.</summary>
internal sealed class MobileFaceNetEmitter : ModuleEmitter<MobileFaceNet>
{
    protected override string Emit(EmitContext context, MobileFaceNet network, string input)
    {
        string x = input;
        foreach (string child in new[] { "conv1", "dw_conv", "features", "conv2", "gdconv", "conv3", "bn" })
            x = context.EmitChild(network, child, x);
        return context.Flatten(x);
    }
}

/// <summary>Depthwise 3x3, BN, ReLU, pointwise 1x1, BN, ReLU (one ReLU module used twice).</summary>
internal sealed class SeparableConvBnReluEmitter : ModuleEmitter<SeparableConvBnRelu>
{
    protected override string Emit(EmitContext context, SeparableConvBnRelu module, string input)
    {
        string x = input;
        foreach (string child in new[] { "depthwise", "bn1", "relu", "pointwise", "bn2", "relu" })
            x = context.EmitChild(module, child, x);
        return x;
    }
}

/// <summary>The bottleneck's <c>conv</c> sequence, plus the input when the block keeps the shape.</summary>
internal sealed class InvertedResidualEmitter : ModuleEmitter<InvertedResidual>
{
    protected override string Emit(EmitContext context, InvertedResidual block, string input)
    {
        string x = context.EmitChild(block, "conv", input);
        return block.HasResidual ? context.Add(input, x) : x;
    }
}

internal sealed class GlobalDepthwiseConvEmitter : ModuleEmitter<GlobalDepthwiseConv>
{
    protected override string Emit(EmitContext context, GlobalDepthwiseConv module, string input) =>
        context.EmitChild(module, "bn", context.EmitChild(module, "depthwise", input));
}

/// <summary>conv1, bn1, prelu, layer1..layer4, bn2, flatten, dropout (omitted), fc, features (BatchNorm1d).</summary>
internal sealed class IResNetEmitter : ModuleEmitter<IResNet>
{
    protected override string Emit(EmitContext context, IResNet network, string input)
    {
        string x = input;
        foreach (string child in new[] { "conv1", "bn1", "prelu", "layer1", "layer2", "layer3", "layer4", "bn2" })
            x = context.EmitChild(network, child, x);
        x = context.Flatten(x);
        foreach (string child in new[] { "dropout", "fc", "features" })
            x = context.EmitChild(network, child, x);
        return x;
    }
}

/// <summary>
/// BN, 3x3 conv, BN, PReLU, 3x3 conv (with the stride), BN, plus the input or its downsample projection.
/// The opening BN reads the block input, which the shortcut reads too: it becomes Mul + Add.
/// </summary>
internal sealed class IBasicBlockEmitter : ModuleEmitter<IBasicBlock>
{
    protected override string Emit(EmitContext context, IBasicBlock block, string input)
    {
        string x = input;
        foreach (string child in new[] { "bn1", "conv1", "bn2", "prelu", "conv2", "bn3" })
            x = context.EmitChild(block, child, x);
        string shortcut = context.HasChild(block, "downsample") ? context.EmitChild(block, "downsample", input) : input;
        return context.Add(x, shortcut);
    }
}
