using PocketNet.Onnx.Export.Graph;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>Conv (with the group attribute for depthwise and grouped convolutions).</summary>
internal sealed class Conv2dEmitter : ModuleEmitter<Conv2d>
{
    protected override string Emit(EmitContext context, Conv2d conv, string input)
    {
        OnnxGraph graph = context.Graph;
        var inputs = new List<string>
        {
            input,
            graph.AddInitializer(context.Hint("weight"), ConstantTensor.Float(EmitContext.Floats(conv.Weight), conv.Weight.Shape)),
        };
        if (conv.Bias is not null)
            inputs.Add(graph.AddInitializer(context.Hint("bias"), ConstantTensor.Float(EmitContext.Floats(conv.Bias), conv.OutChannels)));
        var attributes = new Dictionary<string, AttributeValue>
        {
            ["kernel_shape"] = new[] { conv.KernelSize, conv.KernelSize },
            ["strides"] = new[] { conv.Stride, conv.Stride },
            ["dilations"] = new[] { conv.Dilation, conv.Dilation },
            ["group"] = conv.Groups,
        };
        // TensorFlow's "same" padding is ONNX's SAME_UPPER: the extra row and column of an odd padding go at the end.
        if (conv.SamePadding) attributes["auto_pad"] = "SAME_UPPER";
        else attributes["pads"] = new[] { conv.Padding, conv.Padding, conv.Padding, conv.Padding };
        return graph.Add("Conv", context.Hint(), inputs, attributes);
    }
}

/// <summary>
/// BatchNorm1d and BatchNorm2d with their eval-mode statistics (the exported graph is the eval forward,
/// whatever mode the module is in); folded or lowered later by <see cref="BatchNormFolding"/>.
/// </summary>
internal sealed class BatchNormEmitter : ModuleEmitter<BatchNorm>
{
    protected override string Emit(EmitContext context, BatchNorm bn, string input)
    {
        int channels = checked((int)bn.NumFeatures);
        var parameters = new BatchNormParameters(
            bn.Weight is null ? Enumerable.Repeat(1.0, channels).ToArray() : EmitContext.Doubles(bn.Weight),
            bn.Bias is null ? new double[channels] : EmitContext.Doubles(bn.Bias),
            EmitContext.Doubles(bn.RunningMean), EmitContext.Doubles(bn.RunningVar), bn.Eps);
        return context.Graph.AddBatchNorm(context.Hint(), input, parameters);
    }
}

/// <summary>
/// PReLU as s·x + (1 - s)·Relu(x), the slope shaped [C, 1, 1] (one per channel of an NCHW value) or [1] when shared.
/// Not the PRelu operator: ONNX Runtime's CPU kernel for it is slow and, unlike Mul/Add/Relu, it breaks the blocked
/// (NCHWc) layout the convolutions run in, so every PRelu costs two layout copies. Measured on PocketNetS-128
/// (bench/RESULTS.md): PRelu nodes took 63 % of the kernel time and this form is 2.5x faster. ONNX Runtime folds
/// 1 - s into a constant at load; the result equals PRelu's to float rounding.
/// </summary>
internal sealed class PReLUEmitter : ModuleEmitter<PReLU>
{
    protected override string Emit(EmitContext context, PReLU prelu, string input)
    {
        float[] slope = EmitContext.Floats(prelu.Weight);
        long[] dims = slope.Length == 1 ? [1] : BatchNormFolding.ChannelDims(slope.Length, context.Graph.RankOf(input));
        string weight = context.Graph.AddInitializer(context.Hint("weight"), ConstantTensor.Float(slope, dims));
        string one = context.Graph.SharedConstant("const.one", ConstantTensor.FloatScalar(1));
        string keep = context.Graph.Add("Sub", context.Hint("positive_scale"), [one, weight], outputRank: dims.Length);
        string scaled = context.Graph.Add("Mul", context.Hint("scaled"), [input, weight]);
        string positive = context.Graph.Add("Relu", context.Hint("positive"), [input]);
        string kept = context.Graph.Add("Mul", context.Hint("positive_scaled"), [positive, keep]);
        return context.Graph.Add("Add", context.Hint(), [scaled, kept]);
    }
}

internal sealed class ReLUEmitter : ModuleEmitter<ReLU>
{
    protected override string Emit(EmitContext context, ReLU relu, string input) => context.Graph.Add("Relu", context.Hint(), [input]);
}

/// <summary>ReLU6 as Clip(0, 6), the bounds as inputs (opset 11 and later).</summary>
internal sealed class ReLU6Emitter : ModuleEmitter<ReLU6>
{
    protected override string Emit(EmitContext context, ReLU6 relu6, string input) => context.Graph.Add("Clip", context.Hint(),
    [
        input,
        context.Graph.SharedConstant("const.zero", ConstantTensor.FloatScalar(0)),
        context.Graph.SharedConstant("const.six", ConstantTensor.FloatScalar(6)),
    ]);
}

/// <summary>Gemm(x, W, b) with transB = 1: PyTorch keeps the weight as [out, in].</summary>
internal sealed class LinearEmitter : ModuleEmitter<Linear>
{
    protected override string Emit(EmitContext context, Linear linear, string input)
    {
        if (context.Graph.RankOf(input) != 2)
            throw new NotSupportedException($"'{context.Hint()}': a Linear layer exports as Gemm, which needs a 2-D input (flatten first)");
        OnnxGraph graph = context.Graph;
        var inputs = new List<string>
        {
            input,
            graph.AddInitializer(context.Hint("weight"), ConstantTensor.Float(EmitContext.Floats(linear.Weight), linear.Weight.Shape)),
        };
        if (linear.Bias is not null)
            inputs.Add(graph.AddInitializer(context.Hint("bias"), ConstantTensor.Float(EmitContext.Floats(linear.Bias), linear.Bias.Shape)));
        return graph.Add("Gemm", context.Hint(), inputs, new Dictionary<string, AttributeValue> { ["transB"] = 1L });
    }
}

/// <summary>Dropout is the identity in eval mode: nothing is written.</summary>
internal sealed class DropoutEmitter : ModuleEmitter<Dropout>
{
    protected override string Emit(EmitContext context, Dropout dropout, string input) => input;
}

internal sealed class IdentityEmitter : ModuleEmitter<Identity>
{
    protected override string Emit(EmitContext context, Identity identity, string input) => input;
}

internal sealed class SequentialEmitter : ModuleEmitter<Sequential>
{
    protected override string Emit(EmitContext context, Sequential sequential, string input)
    {
        string x = input;
        for (int i = 0; i < sequential.Count; i++) x = context.Emit(sequential[i], i.ToString(), x);
        return x;
    }
}
