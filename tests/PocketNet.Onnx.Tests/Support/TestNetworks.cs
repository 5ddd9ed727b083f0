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
        ParityWeights.Randomise(network, seed + 1);
        network.Eval();
        return network;
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
