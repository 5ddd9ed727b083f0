namespace PocketNet.Torch.NN;

// Leaf layers of the compact zoo (MixFaceNets, ShuffleMixFaceNets): each notifies the LayerObserver so FLOP
// counting sees it, and none has parameters, so none adds state_dict keys.

/// <summary>1 / (1 + exp(-x)), as torch.nn.Sigmoid (squeeze-and-excitation's gate).</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, input.Sigmoid());
}

/// <summary>x * sigmoid(x) (Ramachandran et al. 2017), the activation MixNet and MixFaceNets call Swish.</summary>
public sealed class Swish : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, Functional.Silu(input));
}

/// <summary>x * relu6(x + 3) / 6 (MobileNetV3), as torch.nn.Hardswish.</summary>
public sealed class HardSwish : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => LayerObserver.Notify(this, input, Functional.HardSwish(input));
}

/// <summary>Average of each channel over an output grid (torch.nn.AdaptiveAvgPool2d); (1, 1) is global pooling.</summary>
public sealed class AdaptiveAvgPool2d(long outputHeight = 1, long outputWidth = 1) : Module<Tensor, Tensor>
{
    public long OutputHeight { get; } = outputHeight;
    public long OutputWidth { get; } = outputWidth;

    public override Tensor Forward(Tensor input) =>
        LayerObserver.Notify(this, input, Functional.AdaptiveAvgPool2d(input, OutputHeight, OutputWidth));
}
