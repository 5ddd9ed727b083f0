using PocketNet.Models.ShuffleFaceNets;
using PocketNet.Onnx.Export.Graph;

namespace PocketNet.Onnx.Export.Emitters;

/// <summary>conv1, stage2..4, conv5, gdconv, linear, bn, flatten.</summary>
internal sealed class ShuffleFaceNetEmitter : ModuleEmitter<ShuffleFaceNet>
{
    protected override string Emit(EmitContext context, ShuffleFaceNet network, string input)
    {
        string x = input;
        foreach (string child in new[] { "conv1", "stage2", "stage3", "stage4", "conv5", "gdconv", "linear", "bn" })
            x = context.EmitChild(network, child, x);
        return context.Flatten(x);
    }
}

/// <summary>
/// Stride 1: the second half of the channels (Slice) through branch2, concatenated after the first half; stride 2:
/// branch1 and branch2 on the whole input, concatenated. Then the shuffle in two groups (one Gather).
/// </summary>
internal sealed class ShuffleUnitEmitter : ModuleEmitter<ShuffleUnit>
{
    protected override string Emit(EmitContext context, ShuffleUnit unit, string input)
    {
        string joined;
        if (unit.Stride == 1)
        {
            long half = unit.OutChannels / 2;
            string kept = Half(context, input, 0, half, "kept");
            string changed = Half(context, input, half, 2 * half, "changed");
            joined = context.Concat([kept, context.EmitChild(unit, "branch2", changed)]);
        }
        else
        {
            joined = context.Concat([context.EmitChild(unit, "branch1", input), context.EmitChild(unit, "branch2", input)]);
        }
        return ChannelShuffleEmitter.Emit(context, joined, unit.OutChannels, 2);
    }

    private static string Half(EmitContext context, string input, long start, long end, string leaf) =>
        context.Graph.Add("Slice", context.Hint(leaf),
        [
            input,
            context.Graph.SharedConstant("const.slice_start", ConstantTensor.Int64Vector(start)),
            context.Graph.SharedConstant("const.slice_end", ConstantTensor.Int64Vector(end)),
            context.Graph.SharedConstant("const.channel_axis", ConstantTensor.Int64Vector(1)),
        ]);
}
