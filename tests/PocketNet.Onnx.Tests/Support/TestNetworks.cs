using PocketNet.Models.Baselines;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Onnx.Tests.Support;

/// <summary>Networks for export tests: built from a fixed seed, with every batch norm given non-trivial statistics.</summary>
internal static class TestNetworks
{
    /// <summary>
    /// A genotype using every primitive: both pools (also strided), none (also strided), skip_connect (a
    /// FactorizedReduce in reduction cells), 1x1 to 7x7 depthwise convolutions, and a non-contiguous concat.
    /// </summary>
    public static Genotype EveryPrimitive { get; } = Genotype.Parse(
        "Genotype(normal=[[('avg_pool_3x3', 0), ('none', 1)], [('max_pool_3x3', 2), ('dw_conv_7x7', 1)], " +
        "[('skip_connect', 0), ('dw_conv_1x1', 3)]], normal_concat=range(2, 5), " +
        "reduce=[[('skip_connect', 0), ('avg_pool_3x3', 1)], [('none', 0), ('dw_conv_5x5', 2)], " +
        "[('max_pool_3x3', 1), ('dw_conv_3x3', 3)]], reduce_concat=[2, 4])");

    public static ModelConfig EveryPrimitiveConfig { get; } =
        ModelRegistry.ForGenotype(EveryPrimitive, channels: 8, cells: 4, embeddingSize: 64, name: "every-primitive");

    /// <summary>Builds <paramref name="config"/> from <paramref name="seed"/>, randomises it and puts it in eval mode.</summary>
    public static Module<Tensor, Tensor> Build(ModelConfig config, ulong seed = 20240611)
    {
        Engine.ManualSeed(seed);
        Module<Tensor, Tensor> network = ModelRegistry.Create(config);
        Randomise(network, seed + 1);
        network.Eval();
        return network;
    }

    /// <summary>
    /// Fan-in scaled weights keep activations near unit scale through deep stacks (the reference inits make
    /// iResNet's explode in eval mode), and batch norms get statistics away from 0 and 1, so that a wrong
    /// fold or a forgotten batch norm cannot hide. The last BN of each iResNet block gets a small scale, as
    /// trained residual networks have: otherwise every block adds a unit-scale branch to the residual
    /// stream and iresnet50's embeddings reach the hundreds, where float32 rounding alone exceeds 1e-4.
    /// </summary>
    public static void Randomise(Module network, ulong seed)
    {
        Engine.ManualSeed(seed);
        using var noGrad = Engine.NoGrad();
        foreach (var (path, module) in network.NamedModules())
        {
            switch (module)
            {
                case BatchNorm2d residualEnd when network is IResNet && path.EndsWith(".bn3", StringComparison.Ordinal):
                    Init.Uniform(residualEnd.Weight!, 0.05, 0.25);
                    Init.Uniform(residualEnd.Bias!, -0.05, 0.05);
                    Init.Uniform(residualEnd.RunningMean, -0.3, 0.3);
                    Init.Uniform(residualEnd.RunningVar, 0.4, 2.0);
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
                    Init.Uniform(bn.RunningMean, -0.3, 0.3);
                    Init.Uniform(bn.RunningVar, 0.4, 2.0);
                    break;
                case PReLU prelu:
                    Init.Uniform(prelu.Weight, 0, 0.4);
                    break;
            }
        }
    }

    /// <summary>A fixed [batch, 3, 112, 112] batch in [-1, 1] from a formula; <paramref name="phase"/> varies it.</summary>
    public static float[] Images(int batch, double phase = 0)
    {
        var data = new float[batch * 3 * 112 * 112];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)Math.Sin(0.011 * i + phase + 0.8 * Math.Cos(0.0017 * i + 2 * phase));
        return data;
    }

    /// <summary>The engine's eval-mode forward, flattened.</summary>
    public static float[] Forward(Module<Tensor, Tensor> network, float[] images, int batch)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Engine.NoGrad();
        Tensor output = network.Forward(Tensors.FromArray(images, batch, 3, 112, 112));
        return output.ToArray<float>();
    }

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double diff = Math.Abs((double)a[i] - b[i]);
            max = Math.Max(max, double.IsNaN(diff) ? double.PositiveInfinity : diff);
        }
        return max;
    }
}
