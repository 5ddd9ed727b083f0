using PocketNet.Models.Heads;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.Parity;

/// <summary>
/// The value ranges of <see cref="Support.ParityWeights"/> (convolutions N(0, 1/fan_in), batch norms with
/// random affine and running statistics, PReLU slopes in [0, 0.5]; for EdgeFace, layer norms with scales
/// U(0.6, 1.4) and shifts U(-0.2, 0.2), layer scales U(0.1, 0.5), temperatures U(0.5, 2)), drawn from a private
/// <see cref="Random"/> instead of the engine's global generator: tests of other classes seed and draw from
/// that one concurrently, which would make these weights, and any failure, change from run to run.
/// </summary>
internal static class SeededWeights
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
                case BatchNorm bn:
                    if (bn.Weight is not null) Uniform(random, bn.Weight, 0.5, 1.5);
                    if (bn.Bias is not null) Uniform(random, bn.Bias, -0.2, 0.2);
                    Uniform(random, bn.RunningMean, -0.2, 0.2);
                    Uniform(random, bn.RunningVar, 0.5, 2.0);
                    using (Engine.NoGrad()) bn.NumBatchesTracked.Fill(17);
                    break;
                case PReLU prelu:
                    Uniform(random, prelu.Weight, 0, 0.5);
                    break;
                case MarginHead head:
                    Normal(random, head.Kernel, 0.01); // the reference's init of the ArcFace kernel
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
        // EdgeFace: at their initial 1e-6 the layer scales would hide every block's update; attention temperatures too.
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
        Set(target, Enumerable.Range(0, (int)target.NumEl).Select(_ => (float)(std * Gaussian(random))).ToArray());

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite
        double u = 1 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static void Set(Tensor target, float[] values)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Engine.NoGrad();
        target.CopyFrom(Tensors.FromArray(values, target.Shape));
    }
}
