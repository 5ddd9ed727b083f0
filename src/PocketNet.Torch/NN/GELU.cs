namespace PocketNet.Torch.NN;

/// <summary>Gaussian error linear unit x·Φ(x) (torch.nn.GELU; exact erf form unless the tanh approximation is asked for).</summary>
public sealed class GELU(bool tanhApproximation = false) : Module<Tensor, Tensor>
{
    public bool TanhApproximation { get; } = tanhApproximation;

    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, Functional.Gelu(input, TanhApproximation));
}
