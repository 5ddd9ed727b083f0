using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.EdgeFace;

/// <summary>
/// Weights for EdgeFace parity checks, drawn from a private <see cref="Random"/>: at their initial values the layer
/// scales (1e-6) would hide every block's update and the LayerNorms' identity affine any mix-up of weight and bias.
/// Layer scales U(0.1, 0.5), temperatures U(0.5, 2), LayerNorm scales U(0.6, 1.4) and shifts U(-0.2, 0.2),
/// convolution and linear weights N(0, 1/fan_in), their biases U(-0.1, 0.1).
/// </summary>
internal static class EdgeFaceWeights
{
    public static void Randomise(Module network, int seed)
    {
        var random = new Random(seed);
        foreach (var (_, module) in network.NamedModules())
            switch (module)
            {
                case Conv2d conv:
                    Normal(random, conv.Weight, 1 / Math.Sqrt(Init.Fans(conv.Weight).FanIn));
                    if (conv.Bias is not null) Uniform(random, conv.Bias, -0.1, 0.1);
                    break;
                case Linear linear:
                    Normal(random, linear.Weight, 1 / Math.Sqrt(Init.Fans(linear.Weight).FanIn));
                    if (linear.Bias is not null) Uniform(random, linear.Bias, -0.1, 0.1);
                    break;
                case LayerNorm norm:
                    Uniform(random, norm.Weight, 0.6, 1.4);
                    Uniform(random, norm.Bias, -0.2, 0.2);
                    break;
                case LayerNorm2d norm:
                    Uniform(random, norm.Weight, 0.6, 1.4);
                    Uniform(random, norm.Bias, -0.2, 0.2);
                    break;
            }
        foreach (var (name, parameter) in network.NamedParameters())
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            if (leaf is "gamma" or "gamma_xca") Uniform(random, parameter, 0.1, 0.5);
            else if (leaf == "temperature") Uniform(random, parameter, 0.5, 2.0);
        }
    }

    private static void Uniform(Random random, Tensor target, double low, double high) =>
        Set(target, Enumerable.Range(0, (int)target.NumEl).Select(_ => (float)(low + (high - low) * random.NextDouble())).ToArray());

    private static void Normal(Random random, Tensor target, double std) =>
        Set(target, Enumerable.Range(0, (int)target.NumEl).Select(_ =>
        {
            double u = 1 - random.NextDouble(), v = random.NextDouble(); // Box-Muller, u in (0, 1]
            return (float)(std * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }).ToArray());

    private static void Set(Tensor target, float[] values)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Engine.NoGrad();
        target.CopyFrom(Tensors.FromArray(values, target.Shape));
    }
}
