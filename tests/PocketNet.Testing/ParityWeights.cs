using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Testing;

/// <summary>
/// Weights for parity checks (against PyTorch, against ONNX Runtime). The reference inits leave every batch
/// norm at identity statistics, so a broken or forgotten batch norm would go unseen, and iResNet's N(0, 0.1)
/// convolutions blow activations up in eval mode. Fan-in scaled weights keep activations near unit scale
/// through deep stacks, and batch norms get statistics away from 0 and 1. The last batch norm of each
/// residual block (an iResNet's <c>.bn3</c>) gets a small scale, as trained residual networks have:
/// otherwise every block adds a unit-scale branch and deep networks' embeddings reach the hundreds, where
/// float32 rounding alone exceeds the comparisons' tolerance.
/// </summary>
public static class ParityWeights
{
    public static void Randomise(Module network, ulong seed = 20220426)
    {
        Engine.ManualSeed(seed);
        using var noGrad = Engine.NoGrad();
        foreach (var (path, module) in network.NamedModules())
            switch (module)
            {
                case BatchNorm residualEnd when path.EndsWith(".bn3", StringComparison.Ordinal) && residualEnd.Weight is not null:
                    Init.Uniform(residualEnd.Weight, 0.05, 0.25);
                    Init.Uniform(residualEnd.Bias!, -0.05, 0.05);
                    RandomiseStatistics(residualEnd);
                    break;
                case Conv2d conv:
                    Init.Normal(conv.Weight, 0, 1 / Math.Sqrt(Init.Fans(conv.Weight).FanIn));
                    if (conv.Bias is not null) Init.Uniform(conv.Bias, -0.1, 0.1);
                    break;
                case Linear linear:
                    Init.Normal(linear.Weight, 0, 1 / Math.Sqrt(Init.Fans(linear.Weight).FanIn));
                    if (linear.Bias is not null) Init.Uniform(linear.Bias, -0.1, 0.1);
                    break;
                case BatchNorm bn:
                    if (bn.Weight is not null) Init.Uniform(bn.Weight, 0.6, 1.4);
                    if (bn.Bias is not null) Init.Uniform(bn.Bias, -0.2, 0.2);
                    RandomiseStatistics(bn);
                    break;
                case PReLU prelu:
                    Init.Uniform(prelu.Weight, 0, 0.4);
                    break;
                case LayerNorm norm:
                    Init.Uniform(norm.Weight, 0.6, 1.4);
                    Init.Uniform(norm.Bias, -0.2, 0.2);
                    break;
                case LayerNorm2d norm:
                    Init.Uniform(norm.Weight, 0.6, 1.4);
                    Init.Uniform(norm.Bias, -0.2, 0.2);
                    break;
            }
        RandomiseEdgeFaceScales(network);
    }

    // EdgeFace: layer scales start at 1e-6, which would hide every block's update; attention temperatures start at 1.
    private static void RandomiseEdgeFaceScales(Module network)
    {
        foreach (var (name, parameter) in network.NamedParameters())
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            if (leaf is "gamma" or "gamma_xca") Init.Uniform(parameter, 0.1, 0.5);
            else if (leaf == "temperature") Init.Uniform(parameter, 0.5, 2.0);
        }
    }

    /// <summary>A fixed [batch, 3, size, size] image batch in [-1, 1] from a formula (no RNG involved).</summary>
    public static Tensor Images(int batch = 2, int size = 112)
    {
        var data = new float[batch * 3 * size * size];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)Math.Sin(0.013 * i + 0.7 * Math.Cos(0.0021 * i));
        return Tensors.FromArray(data, batch, 3, size, size);
    }

    private static void RandomiseStatistics(BatchNorm bn)
    {
        Init.Uniform(bn.RunningMean, -0.3, 0.3);
        Init.Uniform(bn.RunningVar, 0.4, 2.0);
        Init.Constant(bn.NumBatchesTracked, 17);
    }
}
