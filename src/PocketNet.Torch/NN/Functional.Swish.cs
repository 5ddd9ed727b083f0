using PocketNet.Torch.Native;

namespace PocketNet.Torch.NN;

// The Swish family and channel shuffle (MixFaceNets, ShuffleMixFaceNets and the rest of the compact zoo).
public static partial class Functional
{
    /// <summary>x * sigmoid(x): Swish with beta 1 (torch.nn.functional.silu).</summary>
    public static Tensor Silu(Tensor input) => Tensor.Wrap(NativeMethods.pn_silu(input.Handle));

    /// <summary>x * relu6(x + 3) / 6 (torch.nn.functional.hardswish).</summary>
    public static Tensor HardSwish(Tensor input) => Tensor.Wrap(NativeMethods.pn_hardswish(input.Handle));

    /// <summary>
    /// ShuffleNet's channel shuffle of an NCHW tensor: channels viewed as [groups, C / groups], transposed and flattened
    /// back, so output channel j * groups + g is input channel g * (C / groups) + j. Views and one copy (the transpose
    /// made contiguous), so autograd and ONNX (Reshape, Transpose, Reshape) see the same three steps.
    /// </summary>
    public static Tensor ChannelShuffle(Tensor input, long groups)
    {
        if (input.Dim != 4) throw new ArgumentException($"channel shuffle expects an NCHW tensor, got {input}", nameof(input));
        long n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        if (groups < 1 || c % groups != 0)
            throw new ArgumentException($"channel shuffle: {c} channels do not split into {groups} groups", nameof(groups));
        using Tensor grouped = input.View(n, groups, c / groups, h, w);
        using Tensor swapped = grouped.Transpose(1, 2);
        using Tensor packed = swapped.Contiguous();
        return packed.View(n, c, h, w);
    }
}
