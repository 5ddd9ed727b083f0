namespace PocketNet.Torch.NN;

/// <summary>2-D convolution (weight [out, in/groups, kH, kW], optional bias), initialised as PyTorch does.</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide both in_channels ({inChannels}) and out_channels ({outChannels})");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) =
            (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
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
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input,
        Functional.Conv2d(input, Weight, Bias, (Stride, Stride), (Padding, Padding), (Dilation, Dilation), Groups));
}
