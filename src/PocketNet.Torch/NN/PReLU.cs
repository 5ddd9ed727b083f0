namespace PocketNet.Torch.NN;

/// <summary>Parametric ReLU with one learned slope per channel (or one shared), starting at 0.25.</summary>
public sealed class PReLU : Module<Tensor, Tensor>
{
    public PReLU(long numParameters = 1, double init = 0.25)
    {
        Weight = RegisterParameter("weight", Tensors.Full([numParameters], init));
    }

    public Tensor Weight { get; }

    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, Functional.PRelu(input, Weight));
}
