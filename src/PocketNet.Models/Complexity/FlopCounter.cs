using PocketNet.Models.EdgeFace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Complexity;

/// <summary>
/// Counts the cost of one forward pass in the two units papers use, kept apart because they differ by a factor of
/// about two and are often mixed up (the same MobileFaceNet is quoted as 221 M MAdds and as 439.8 MFLOPs):
/// <list type="bullet">
/// <item>FLOPs the way the PocketNet paper counts them: convolution 2 per multiply-add plus 1 per output for a bias,
/// linear 2 per weight plus the bias (per row of its input: per token for EdgeFace's MLPs), batch and layer norm 2 per
/// input element, (P)ReLU and GELU 1 per element, pooling k*k per output element, EdgeFace's attention products 2 per
/// multiply-add. Additions between branches, concatenations and zero/identity edges are not counted (nor were they there).
/// MixFaceNets' counter (fdbtrs/mixfacenets, backbones/utils.py count_model_flops) adds the same rules for its layers:
/// sigmoid, Swish and hard swish 1 per element, adaptive average pooling 1 per input element; the excitation's
/// channel scaling and the channel shuffle cost nothing.</item>
/// <item>MACs (multiply-accumulates, MobileNet's and MobileFaceNet's "MAdds", thop's "MACs"): the multiply-adds of
/// convolutions, linear layers and attention products only.</item>
/// </list>
/// </summary>
public static class FlopCounter
{
    /// <summary>FLOPs of one image of size <paramref name="height"/> x <paramref name="width"/> (eval mode, batch 1).</summary>
    public static long Count(Module<Tensor, Tensor> network, int height = 112, int width = 112, int channels = 3) =>
        Measure(network, height, width, channels).Flops;

    /// <summary>FLOPs and MACs of one image (eval mode, batch 1).</summary>
    public static NetworkCost Measure(Module<Tensor, Tensor> network, int height = 112, int width = 112, int channels = 3)
    {
        bool wasTraining = network.IsTraining;
        network.Eval();
        long flops = 0, macs = 0;
        try
        {
            using var scope = DisposeScope.Enter();
            using var noGrad = Engine.NoGrad();
            using var observer = LayerObserver.Observe((layer, input, output) =>
            {
                flops += LayerFlops(layer, input, output);
                macs += LayerMacs(layer, input, output);
            });
            Tensor image = Tensors.Zeros([1, channels, height, width], device: network.Parameters().FirstOrDefault()?.Device);
            network.Forward(image);
        }
        finally
        {
            network.Train(wasTraining);
        }
        return new NetworkCost(flops, macs);
    }

    private static long LayerMacs(Module layer, Tensor input, Tensor output) => layer switch
    {
        Conv2d conv => conv.KernelSize * conv.KernelSize * (conv.InChannels / conv.Groups) * (output.NumEl / input.Size(0)),
        // per row: [N, in] gives the weight count once; tokens [N, ..., in] (EdgeFace's MLPs) once per token
        Linear linear => linear.Weight.Size(1) * (output.NumEl / input.Size(0)),
        CrossCovarianceAttention attention => attention.ProductMacs(input.Size(-1), input.NumEl / input.Size(0) / input.Size(-1)),
        _ => 0,
    };

    private static long LayerFlops(Module layer, Tensor input, Tensor output)
    {
        long batch = input.Size(0);
        return layer switch
        {
            Conv2d conv => (conv.KernelSize * conv.KernelSize * (conv.InChannels / conv.Groups) * 2 + (conv.Bias is null ? 0 : 1))
                           * (output.NumEl / batch),
            Linear linear => (linear.Weight.Size(1) * 2 + (linear.Bias is null ? 0 : 1)) * (output.NumEl / batch),
            BatchNorm => input.NumEl / batch * 2,
            PReLU or ReLU => input.NumEl / batch,
            // EdgeFace's layers, by the same rules: normalisation as batch norm, activation as PReLU, products 2 per MAC
            LayerNorm or LayerNorm2d => input.NumEl / batch * 2,
            GELU => input.NumEl / batch,
            CrossCovarianceAttention attention => 2 * LayerMacs(attention, input, output),
            MaxPool2d pool => pool.KernelSize * pool.KernelSize * (output.NumEl / batch),
            AvgPool2d pool => pool.KernelSize * pool.KernelSize * (output.NumEl / batch),
            // MixFaceNets' layers, as their official counter counts them
            Sigmoid or Swish or HardSwish => input.NumEl / batch,
            AdaptiveAvgPool2d => input.NumEl / batch,
            _ => 0,
        };
    }
}

/// <summary>The cost of one forward pass: FLOPs as the PocketNet paper counts them, and MACs (multiply-accumulates).</summary>
public sealed record NetworkCost(long Flops, long Macs)
{
    public double MegaFlops => Flops / 1e6;
    public double MegaMacs => Macs / 1e6;
}
