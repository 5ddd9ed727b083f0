using PocketNet.Torch.NN;
using PocketNet.Torch.Serialization;
using PocketNet.Torch.Tests.Gradients;
using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.NN;

/// <summary>
/// Layer normalisation and GELU (EdgeFace's blocks): values and layer-norm gradients against PyTorch on the same
/// float64 inputs (python/transformer_layers_reference.py), gradients against finite differences, and the modules'
/// state_dict names and initial values.
/// </summary>
public class TransformerLayersTests(TransformerLayersTests.Reference reference) : IClassFixture<TransformerLayersTests.Reference>
{
    // Same ATen on both sides and float64: differences are rounding only.
    private const double Tolerance = 1e-12;

    public sealed class Reference : IDisposable
    {
        private readonly TempDirectory _folder = new();

        public Reference()
        {
            PythonRunner.Run("transformer_layers_reference.py", _folder.Path);
            Values = TorchCheckpoint.Load(Path.Combine(_folder.Path, "layers.pth"));
        }

        public TensorDictionary Values { get; }

        public void Dispose()
        {
            Values.Dispose();
            _folder.Dispose();
        }
    }

    private Tensor this[string name] => reference.Values[name];

    [Fact]
    public void LayerNormOverTheLastDimensionMatchesPyTorch()
    {
        using var scope = DisposeScope.Enter();
        Tensor y = Functional.LayerNorm(this["x3"], [6], this["weight"], this["bias"], eps: 1e-6);
        TestData.AssertClose(this["layer_norm"].ToArray<double>(), y.ToArray<double>(), Tolerance, "layer_norm");
    }

    [Fact]
    public void LayerNormOverTwoDimensionsWithoutAffineMatchesPyTorch()
    {
        using var scope = DisposeScope.Enter();
        Tensor y = Functional.LayerNorm(this["x4"], [4, 6]);
        TestData.AssertClose(this["layer_norm_2d"].ToArray<double>(), y.ToArray<double>(), Tolerance, "layer_norm_2d");
    }

    [Fact]
    public void LayerNormGradientsMatchPyTorch()
    {
        using var scope = DisposeScope.Enter();
        Tensor x = this["x3"].Clone(), weight = this["weight"].Clone(), bias = this["bias"].Clone();
        foreach (Tensor t in new[] { x, weight, bias }) t.RequiresGrad = true;
        (Functional.LayerNorm(x, [6], weight, bias, eps: 1e-6) * this["projection"]).Sum().Backward();
        TestData.AssertClose(this["grad_x"].ToArray<double>(), x.Grad!.ToArray<double>(), 1e-10, "grad x");
        TestData.AssertClose(this["grad_weight"].ToArray<double>(), weight.Grad!.ToArray<double>(), 1e-10, "grad weight");
        TestData.AssertClose(this["grad_bias"].ToArray<double>(), bias.Grad!.ToArray<double>(), 1e-10, "grad bias");
    }

    [Fact]
    public void LayerNorm2dNormalisesEachPixelAcrossChannelsAsPyTorch()
    {
        using var scope = DisposeScope.Enter();
        using var norm = new LayerNorm2d(3, eps: 1e-6);
        norm.To(ScalarType.Float64);
        using (Engine.NoGrad())
        {
            norm.Weight.CopyFrom(this["weight3"]);
            norm.Bias.CopyFrom(this["bias3"]);
        }
        Tensor y = norm.Forward(this["x4"]);
        TestData.AssertClose(this["layer_norm_channels"].ToArray<double>(), y.ToArray<double>(), Tolerance, "layer_norm_channels");
    }

    [Fact]
    public void LayerNorm2dGradientAgreesWithFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var norm = new LayerNorm2d(3, eps: 1e-6);
        norm.To(ScalarType.Float64);
        using (Engine.NoGrad())
        {
            norm.Weight.CopyFrom(TestData.Tensor([0.7, 1.2, 0.9], 3));
            norm.Bias.CopyFrom(TestData.Tensor([0.1, -0.3, 0.2], 3));
        }
        GradientCheck.Assert(t => GradientCheck.Project(norm.Forward(t[0]), 27), [Input(28, 2, 3, 2, 3)], tolerance: 1e-5);
    }

    [Theory]
    [InlineData(false, "gelu")]
    [InlineData(true, "gelu_tanh")]
    public void GeluMatchesPyTorch(bool tanhApproximation, string expected)
    {
        using var scope = DisposeScope.Enter();
        Tensor y = Functional.Gelu(this["x4"], tanhApproximation);
        TestData.AssertClose(this[expected].ToArray<double>(), y.ToArray<double>(), Tolerance, expected);
    }

    [Fact]
    public void GeluIsXTimesTheNormalCdf()
    {
        using var scope = DisposeScope.Enter();
        // Φ(1) = 0.841344746068543, Φ(-0.5) = 0.308537538725987 (tables of the standard normal)
        double[] y = Functional.Gelu(TestData.Tensor([1, -0.5, 0], 3)).ToArray<double>();
        TestData.AssertClose([0.841344746068543, -0.5 * 0.308537538725987, 0], y, 1e-14);
    }

    [Fact]
    public void LayerNormGradientAgreesWithFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(
            t => GradientCheck.Project(Functional.LayerNorm(t[0], [5], t[1], t[2], eps: 1e-6), 21),
            [Input(22, 2, 3, 5), Input(23, 5), Input(24, 5)], tolerance: 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GeluGradientAgreesWithFiniteDifferences(bool tanhApproximation)
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(t => GradientCheck.Project(Functional.Gelu(t[0] * 3, tanhApproximation), 25), [Input(26, 2, 3, 4)]);
    }

    [Fact]
    public void LayerNormModuleStartsAsTheIdentityAffineAndNormalisesTheLastDimension()
    {
        using var scope = DisposeScope.Enter();
        using var norm = new LayerNorm(4, eps: 1e-6);
        Assert.Equal(["weight", "bias"], norm.StateDict().Select(kv => kv.Key));
        Assert.Equal([1f, 1, 1, 1], norm.Weight.ToArray<float>());
        Assert.Equal([0f, 0, 0, 0], norm.Bias.ToArray<float>());
        // [1, 2, 3, 4]: mean 2.5, biased variance 1.25
        float[] y = norm.Forward(Tensors.FromArray(new float[] { 1, 2, 3, 4 }, 1, 4)).ToArray<float>();
        float[] expected = new[] { -1.5, -0.5, 0.5, 1.5 }.Select(v => (float)(v / Math.Sqrt(1.25 + 1e-6))).ToArray();
        TestData.AssertClose(expected, y, 1e-6);
    }

    private static Tensor Input(int seed, params long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return TestData.Tensor(TestData.Values((int)count, seed), shape);
    }
}
