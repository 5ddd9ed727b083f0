namespace PocketNet.Torch.NN;

/// <summary>
/// Layer normalisation over the last dimension (torch.nn.LayerNorm(features)): per position, zero mean and
/// unit variance across the features, then a learned per-feature scale (weight, 1) and shift (bias, 0).
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(long features, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Features = features;
        Eps = eps;
        Weight = RegisterParameter("weight", Tensors.Ones([features]));
        Bias = RegisterParameter("bias", Tensors.Zeros([features]));
    }

    public long Features { get; }
    public double Eps { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public override Tensor Forward(Tensor input) =>
        LayerObserver.Notify(this, input, Functional.LayerNorm(input, [Features], Weight, Bias, Eps));
}
