using PocketNet.Models.EdgeFace;
using PocketNet.Models.Tests.Parity;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.EdgeFace;

/// <summary>
/// Autograd through EdgeFace's composite layers (the transposed attention: normalisations, two batched products,
/// a softmax with a learned temperature; the SDTA encoder: channel groups, cascaded convolutions, positional encoding,
/// two layer scales) against central finite differences, in float64.
/// </summary>
public class EdgeFaceGradientTests
{
    [Fact]
    public void CrossCovarianceAttentionGradientsAgreeWithFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var attention = new CrossCovarianceAttention(8, heads: 2, rankRatio: 0.5);
        SeededWeights.Randomise(attention, 31);
        attention.To(ScalarType.Float64);
        Tensor input = Values(32, 2, 5, 8);
        AssertGradients(attention, input, [("input", input), ("temperature", attention.Temperature)], 33);
    }

    [Fact]
    public void SdtaEncoderGradientsAgreeWithFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var encoder = new SdtaEncoder(12, splits: 3, heads: 2, positionalEncoding: true, rankRatio: 0.5);
        SeededWeights.Randomise(encoder, 34);
        encoder.To(ScalarType.Float64);
        Tensor input = Values(35, 1, 12, 3, 3);
        AssertGradients(encoder, input, [("input", input), ("gamma_xca", encoder.GammaXca), ("gamma", encoder.Gamma)], 36);
    }

    /// <summary>
    /// The whole network, stem to embedding, as the trainer back-propagates through it: a tiny EdgeFace with every part
    /// (conv and SDTA encoders, positional encoding, low-rank layers, head), gradients of a parameter of each kind.
    /// </summary>
    [Fact]
    public void WholeNetworkGradientsAgreeWithFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var network = new EdgeFaceNetwork(new EdgeFaceVariant([8, 16, 24, 32], [1, 2, 2, 1], Heads: 2, RankRatio: 0.5), embeddingSize: 6);
        SeededWeights.Randomise(network, 37);
        network.To(ScalarType.Float64);
        network.Train();
        var parameters = network.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        string[] checkedNames =
        [
            "model.stem.1.weight",
            "model.stages.0.blocks.0.gamma",
            "model.stages.1.blocks.1.gamma_xca",
            "model.stages.1.blocks.1.xca.temperature",
            "model.stages.1.blocks.1.pos_embd.token_projection.bias",
            "model.stages.2.downsample.0.bias",
            "model.stages.3.blocks.0.mlp.fc2.linear2.bias",
            "model.head.fc.linear2.bias",
        ];
        Tensor input = Values(38, 1, 3, 48, 48);
        AssertGradients(network, input, checkedNames.Select(n => (n, parameters[n])).ToArray(), 39);
    }

    private static void AssertGradients(Module<Tensor, Tensor> layer, Tensor input, (string Name, Tensor Tensor)[] wrt, int seed)
    {
        const double step = 1e-6, tolerance = 1e-5;
        input.RequiresGrad = true;
        Tensor projection = Values(seed, layer.Forward(input).Shape);
        double Loss()
        {
            using var inner = DisposeScope.Enter();
            return (layer.Forward(input) * projection).Sum().Item();
        }

        (layer.Forward(input) * projection).Sum().Backward();
        foreach (var (name, tensor) in wrt)
        {
            double[] analytic = tensor.Grad!.ToArray<double>();
            using var noGrad = Engine.NoGrad();
            Tensor flat = tensor.View(-1);
            for (long e = 0; e < flat.NumEl; e++)
            {
                Tensor element = flat.Narrow(0, e, 1);
                double original = element.Item();
                element.Fill(original + step);
                double plus = Loss();
                element.Fill(original - step);
                double minus = Loss();
                element.Fill(original);
                double numeric = (plus - minus) / (2 * step);
                Assert.True(Math.Abs(numeric - analytic[e]) <= tolerance * (1 + Math.Abs(numeric)),
                    $"{name} element {e}: autograd {analytic[e]:G10}, finite difference {numeric:G10}");
            }
        }
    }

    private static Tensor Values(int seed, params long[] shape)
    {
        var random = new Random(seed);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return Tensors.FromArray(Enumerable.Range(0, (int)count).Select(_ => random.NextDouble() * 2 - 1).ToArray(), shape);
    }
}
