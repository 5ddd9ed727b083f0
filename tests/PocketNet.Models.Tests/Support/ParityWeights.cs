using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.Support;

/// <summary>
/// Weights for forward-parity checks. The reference inits leave every batch norm at identity statistics
/// (so a broken BN wiring would go unseen) and iResNet's N(0, 0.1) convolutions blow activations up in
/// eval mode; these keep activations near unit scale while exercising every tensor of the state_dict.
/// </summary>
public static class ParityWeights
{
    public static void Randomise(Module network, ulong seed = 20220426)
    {
        Engine.ManualSeed(seed);
        foreach (var (_, module) in network.NamedModules())
            switch (module)
            {
                case Conv2d conv:
                    Init.Normal(conv.Weight, 0, 1 / Math.Sqrt(Init.Fans(conv.Weight).FanIn));
                    if (conv.Bias is not null) Init.Uniform(conv.Bias, -0.1, 0.1);
                    break;
                case Linear linear:
                    Init.Normal(linear.Weight, 0, 1 / Math.Sqrt(Init.Fans(linear.Weight).FanIn));
                    if (linear.Bias is not null) Init.Uniform(linear.Bias, -0.1, 0.1);
                    break;
                case BatchNorm bn:
                    if (bn.Weight is not null) Init.Uniform(bn.Weight, 0.5, 1.5);
                    if (bn.Bias is not null) Init.Uniform(bn.Bias, -0.2, 0.2);
                    Init.Uniform(bn.RunningMean, -0.2, 0.2);
                    Init.Uniform(bn.RunningVar, 0.5, 2.0);
                    Init.Constant(bn.NumBatchesTracked, 17);
                    break;
                case PReLU prelu:
                    Init.Uniform(prelu.Weight, 0, 0.5);
                    break;
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
}
