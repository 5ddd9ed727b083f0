namespace PocketNet.Torch.NN;

/// <summary>
/// 2-D convolution (weight [out, in/groups, kH, kW], optional bias), initialised as PyTorch does. With
/// <c>samePadding</c> it pads as TensorFlow's <c>padding="same"</c> does (ONNX's SAME_UPPER): the output is
/// ceil(input / stride) and an odd amount of padding puts the extra row and column at the end, which a stride-2
/// convolution on an even size needs and PyTorch's symmetric padding cannot express. Networks published as Keras
/// models (GhostFaceNets) use it.
/// </summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true, bool samePadding = false)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide both in_channels ({inChannels}) and out_channels ({outChannels})");
        if (samePadding && padding != 0)
            throw new ArgumentException($"a convolution with 'same' padding computes its own padding; got padding {padding} as well");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups, SamePadding) =
            (inChannels, outChannels, kernelSize, stride, padding, dilation, groups, samePadding);
        Weight = RegisterParameter("weight", Tensors.Empty([outChannels, inChannels / groups, kernelSize, kernelSize]));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5));
        if (bias) Bias = Init.DefaultBias(RegisterParameter("bias", Tensors.Empty([outChannels])), Weight);
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    /// <summary>TensorFlow's "same" padding, computed from each input's size (see the class summary).</summary>
    public bool SamePadding { get; }

    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => SamePadding
        ? LayerObserver.Notify(this, input, ForwardSamePadded(input))
        : LayerObserver.Notify(this, input,
            Functional.Conv2d(input, Weight, Bias, (Stride, Stride), (Padding, Padding), (Dilation, Dilation), Groups));

    /// <summary>The (before, after) padding of one spatial dimension of <paramref name="size"/> under "same" padding.</summary>
    public (long Before, long After) SamePads(long size)
    {
        long output = (size + Stride - 1) / Stride;
        long total = Math.Max((output - 1) * Stride + (KernelSize - 1) * Dilation + 1 - size, 0);
        return (total / 2, total - total / 2);
    }

    private Tensor ForwardSamePadded(Tensor input)
    {
        var (top, bottom) = SamePads(input.Size(2));
        var (left, right) = SamePads(input.Size(3));
        if (top == bottom && left == right)
            return Functional.Conv2d(input, Weight, Bias, (Stride, Stride), (top, left), (Dilation, Dilation), Groups);
        using var padded = input.ConstantPad([left, right, top, bottom]);
        return Functional.Conv2d(padded, Weight, Bias, (Stride, Stride), (0, 0), (Dilation, Dilation), Groups);
    }
}
