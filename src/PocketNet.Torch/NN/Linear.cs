namespace PocketNet.Torch.NN;

/// <summary>y = x Wᵀ + b (weight [out, in]), initialised as PyTorch does.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool bias = true)
    {
        Weight = RegisterParameter("weight", Tensors.Empty([outFeatures, inFeatures]));
        Init.KaimingUniform(Weight, a: Math.Sqrt(5));
        if (bias) Bias = Init.DefaultBias(RegisterParameter("bias", Tensors.Empty([outFeatures])), Weight);
    }

    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, Functional.Linear(input, Weight, Bias));
}
