namespace PocketNet.Torch.NN;

/// <summary>
/// Layer normalisation across the channels of an NCHW map, per pixel (timm's LayerNorm2d, ConvNeXt's
/// channels-first LayerNorm): the map is viewed channels-last, normalised over C, and turned back.
/// State-dict names as nn.LayerNorm: weight (1), bias (0).
/// </summary>
public sealed class LayerNorm2d : Module<Tensor, Tensor>
{
    public LayerNorm2d(long channels, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Channels = channels;
        Eps = eps;
        Weight = RegisterParameter("weight", Tensors.Ones([channels]));
        Bias = RegisterParameter("bias", Tensors.Zeros([channels]));
    }

    public long Channels { get; }
    public double Eps { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4) throw new ArgumentException($"LayerNorm2d takes [N, C, H, W], not a {input.Dim}-d tensor", nameof(input));
        using var scope = DisposeScope.Enter();
        Tensor normalised = Functional.LayerNorm(input.Permute(0, 2, 3, 1), [Channels], Weight, Bias, Eps).Permute(0, 3, 1, 2);
        return LayerObserver.Notify(this, input, normalised).MoveToOuterScope();
    }
}
