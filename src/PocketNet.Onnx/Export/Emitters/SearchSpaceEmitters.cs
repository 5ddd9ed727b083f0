using PocketNet.Models.SearchSpace;
using PocketNet.Onnx.Export.Graph;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>PReLU, depthwise k x k conv, 1x1 conv, BN (all under <c>net</c>).</summary>
internal sealed class DepthwiseSeparableConvEmitter : ModuleEmitter<DepthwiseSeparableConv>
{
    protected override string Emit(EmitContext context, DepthwiseSeparableConv module, string input) =>
        context.EmitChild(module, "net", input);
}

/// <summary>
/// PReLU, then two strided 1x1 branches, the second on the input shifted by one pixel (a Slice from 1 on
/// H and W), concatenated on channels, then BN (which folding splits into the two branches' last convs).
/// </summary>
internal sealed class FactorizedReduceEmitter : ModuleEmitter<FactorizedReduce>
{
    protected override string Emit(EmitContext context, FactorizedReduce module, string input)
    {
        string x = context.EmitChild(module, "relu", input);
        string first = context.EmitChild(module, "conv12", context.EmitChild(module, "conv11", x));
        string shifted = context.SliceSpatial(x, start: 1, step: 1, "shift");
        string second = context.EmitChild(module, "conv22", context.EmitChild(module, "conv21", shifted));
        return context.EmitChild(module, "bn", context.Concat([first, second]));
    }
}

/// <summary>
/// 3x3 max or average pooling (padding 1; the average ignores padded pixels: count_include_pad = 0), then
/// BN. The stride is the cell edge's (<see cref="EmitContext.EdgeStride"/>): the pooling layers do not
/// expose theirs, and <see cref="Operations.Create"/> builds them with the edge's stride and padding k / 2.
/// </summary>
internal sealed class PoolBatchNormEmitter : ModuleEmitter<PoolBatchNorm>
{
    protected override string Emit(EmitContext context, PoolBatchNorm module, string input)
    {
        int stride = context.EdgeStride ?? throw new NotSupportedException(
            $"'{context.Hint()}': a pooling operation exports only inside a cell, which knows its stride");
        Module pool = context.Child<Module>(module, "pool");
        (string op, long kernel, bool average) = pool switch
        {
            MaxPool2d max => ("MaxPool", max.KernelSize, false),
            AvgPool2d avg => ("AveragePool", avg.KernelSize, true),
            _ => throw new NotSupportedException($"'{context.Hint("pool")}' is a {pool.GetType().Name}, not a pooling layer"),
        };
        long padding = kernel / 2;
        var attributes = new Dictionary<string, AttributeValue>
        {
            ["kernel_shape"] = new[] { kernel, kernel },
            ["strides"] = new[] { (long)stride, stride },
            ["pads"] = new[] { padding, padding, padding, padding },
        };
        if (average) attributes["count_include_pad"] = 0L;
        string pooled = context.Within("pool", () => context.Graph.Add(op, context.Hint(), [input], attributes));
        return context.EmitChild(module, "bn", pooled);
    }
}

/// <summary>
/// The <c>none</c> edge: the (strided) input times 0, so the zeros follow the dynamic batch size and the
/// spatial shape without a shape computation (and propagate NaN as the engine's <c>input * 0</c> does).
/// </summary>
internal sealed class ZeroEmitter : ModuleEmitter<Zero>
{
    protected override string Emit(EmitContext context, Zero module, string input)
    {
        string strided = module.Stride == 1 ? input : context.SliceSpatial(input, start: 0, step: module.Stride, "strided");
        return context.Graph.Add("Mul", context.Hint(), [strided, context.Graph.SharedConstant("const.zero", ConstantTensor.FloatScalar(0))]);
    }
}
