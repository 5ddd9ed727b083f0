using PocketNet.Models.ShuffleFaceNets;
using PocketNet.Onnx.Export.Graph;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>conv1, stage2..stage4, conv5, gdc, linear, flatten.</summary>
internal sealed class ShuffleFaceNetEmitter : ModuleEmitter<ShuffleFaceNet>
{
    protected override string Emit(EmitContext context, ShuffleFaceNet network, string input)
    {
        string x = input;
        foreach (string child in new[] { "conv1", "stage2", "stage3", "stage4", "conv5", "gdc", "linear" })
            x = context.EmitChild(network, child, x);
        return context.Flatten(x);
    }
}

/// <summary>
/// The split (two channel Slices) or the two branches, their Concat, and the channel shuffle as one Gather of the
/// interleaved channel order: it needs no spatial size, where Reshape-Transpose-Reshape would.
/// </summary>
internal sealed class ShuffleUnitEmitter : ModuleEmitter<ShuffleUnit>
{
    protected override string Emit(EmitContext context, ShuffleUnit unit, string input)
    {
        string joined;
        if (unit.Stride == 1)
        {
            long half = unit.InChannels / 2;
            string kept = SliceChannels(context, input, 0, half, "kept");
            string changed = context.EmitChild(unit, "branch2", SliceChannels(context, input, half, unit.InChannels, "split"));
            joined = context.Concat([kept, changed]);
        }
        else joined = context.Concat([context.EmitChild(unit, "branch1", input), context.EmitChild(unit, "branch2", input)]);

        string order = context.Graph.AddInitializer(context.Hint("shuffle_order"),
            ConstantTensor.Int64(InterleavedOrder(unit.OutChannels), unit.OutChannels));
        return context.Graph.Add("Gather", context.Hint("shuffle"), [joined, order], new Dictionary<string, AttributeValue> { ["axis"] = 1L });
    }

    /// <summary>The source channel of each output channel after a two-group shuffle: 0, C/2, 1, C/2 + 1, ...</summary>
    internal static long[] InterleavedOrder(long channels) =>
        Enumerable.Range(0, checked((int)channels)).Select(i => (long)(i % 2 * (channels / 2) + i / 2)).ToArray();

    private static string SliceChannels(EmitContext context, string input, long start, long end, string leaf) =>
        context.Graph.Add("Slice", context.Hint(leaf),
        [
            input,
            context.Graph.AddInitializer(context.Hint(leaf + "_start"), ConstantTensor.Int64Vector(start)),
            context.Graph.AddInitializer(context.Hint(leaf + "_end"), ConstantTensor.Int64Vector(end)),
            context.Graph.SharedConstant("const.channel_axis", ConstantTensor.Int64Vector(1)),
        ]);
}
