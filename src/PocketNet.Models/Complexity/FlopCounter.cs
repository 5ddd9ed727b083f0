using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Complexity;

/// <summary>
/// Counts the floating-point operations of one forward pass the way the PocketNet paper counts them:
/// convolution 2 per multiply-add plus 1 per output for a bias, linear 2 per weight plus the bias,
/// batch norm 2 per input element, (P)ReLU 1 per element, pooling k*k per output element. Additions
/// between branches, concatenations and zero/identity edges are not counted (nor were they there).
/// </summary>
public static class FlopCounter
{
    /// <summary>FLOPs of one image of size <paramref name="height"/> x <paramref name="width"/> (eval mode, batch 1).</summary>
    public static long Count(Module<Tensor, Tensor> network, int height = 112, int width = 112, int channels = 3)
    {
        bool wasTraining = network.IsTraining;
        network.Eval();
        long total = 0;
        try
        {
            using var scope = DisposeScope.Enter();
            using var noGrad = Engine.NoGrad();
            using var observer = LayerObserver.Observe((layer, input, output) => total += LayerFlops(layer, input, output));
            Tensor image = Tensors.Zeros([1, channels, height, width], device: network.Parameters().FirstOrDefault()?.Device);
            network.Forward(image);
        }
        finally
        {
            network.Train(wasTraining);
        }
        return total;
    }

    private static long LayerFlops(Module layer, Tensor input, Tensor output)
    {
        long batch = input.Size(0);
        return layer switch
        {
            Conv2d conv => (conv.KernelSize * conv.KernelSize * (conv.InChannels / conv.Groups) * 2 + (conv.Bias is null ? 0 : 1))
                           * (output.NumEl / batch),
            Linear linear => linear.Weight.NumEl * 2 + (linear.Bias?.NumEl ?? 0),
            BatchNorm => input.NumEl / batch * 2,
            PReLU or ReLU => input.NumEl / batch,
            MaxPool2d pool => pool.KernelSize * pool.KernelSize * (output.NumEl / batch),
            AvgPool2d pool => pool.KernelSize * pool.KernelSize * (output.NumEl / batch),
            _ => 0,
        };
    }
}
