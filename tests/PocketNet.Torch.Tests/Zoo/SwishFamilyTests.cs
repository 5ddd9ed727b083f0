using System.Text.Json;
using PocketNet.Torch.NN;
using PocketNet.Torch.Tests.Gradients;
using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Zoo;

/// <summary>
/// The layers MixFaceNets add to the engine: Swish (SiLU), hard swish, sigmoid, adaptive average pooling and the channel
/// shuffle (Functional.ChannelShuffle). Gradients against central finite differences; values and gradients against PyTorch
/// (python/swish_reference.py), and the shuffle's permutation against torch.nn.ChannelShuffle.
/// </summary>
public class SwishFamilyTests
{
    private const int Points = 97;

    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(PythonRunner.Run("swish_reference.py", Points.ToString(), "2,6,2,3", "3")).RootElement.Clone());

    private static Tensor Input(int seed, params long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        // spread over [-5, 5) so every branch of hard swish (below -3, between, above 3) is exercised
        return TestData.Tensor(TestData.Values((int)count, seed).Select(v => 5 * v).ToArray(), shape);
    }

    [Fact]
    public void SiluGradientMatchesFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(t => GradientCheck.Project(Functional.Silu(t[0]), 31), [Input(30, 2, 3, 4, 4)]);
    }

    [Fact]
    public void HardSwishGradientMatchesFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        // keep inputs away from the kinks at -3 and 3, where central differences straddle two pieces
        var x = Input(32, 2, 3, 4, 4);
        using (Engine.NoGrad())
        {
            double[] values = x.ToArray<double>().Select(v => Math.Abs(Math.Abs(v) - 3) < 0.05 ? v + 0.1 : v).ToArray();
            x = TestData.Tensor(values, x.Shape);
        }
        GradientCheck.Assert(t => GradientCheck.Project(Functional.HardSwish(t[0]), 33), [x]);
    }

    [Fact]
    public void ChannelShuffleGradientMatchesFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(t => GradientCheck.Project(Functional.ChannelShuffle(t[0], 2), 35), [Input(34, 2, 6, 2, 2)]);
    }

    [Fact]
    public void AdaptiveAveragePoolingGradientMatchesFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        GradientCheck.Assert(t => GradientCheck.Project(new AdaptiveAvgPool2d().Forward(t[0]), 37), [Input(36, 2, 3, 5, 4)]);
    }

    [Theory]
    [InlineData("silu")]
    [InlineData("hardswish")]
    [InlineData("sigmoid")]
    public void ActivationMatchesPyTorch(string name)
    {
        using var scope = DisposeScope.Enter();
        Module<Tensor, Tensor> layer = name switch
        {
            "silu" => new Swish(),
            "hardswish" => new HardSwish(),
            _ => new Sigmoid(),
        };
        Tensor x = Tensors.FromArray(Enumerable.Range(0, Points).Select(i => -6 + 12.0 * i / (Points - 1)).ToArray(), Points);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);
        Tensor w = Tensors.FromArray(Enumerable.Range(0, Points).Select(i => Math.Cos(i)).ToArray(), Points);
        (y * w).Sum().Backward();

        JsonElement expected = Reference.Value.GetProperty(name);
        TestData.AssertClose(Doubles(expected.GetProperty("y")), y.Detach().ToArray<double>(), 1e-12, name);
        TestData.AssertClose(Doubles(expected.GetProperty("grad")), x.Grad!.ToArray<double>(), 1e-12, name + " gradient");
    }

    [Fact]
    public void ChannelShuffleMatchesPyTorch()
    {
        using var scope = DisposeScope.Enter();
        Tensor x = Tensors.Arange(0, 2 * 6 * 2 * 3, type: ScalarType.Float64).View(2, 6, 2, 3);
        Tensor y = Functional.ChannelShuffle(x, 3);
        Assert.Equal(new long[] { 2, 6, 2, 3 }, y.Shape);
        Assert.Equal(Doubles(Reference.Value.GetProperty("shuffle")), y.ToArray<double>());
    }

    [Fact]
    public void ChannelShuffleRefusesChannelsThatDoNotSplit()
    {
        using var scope = DisposeScope.Enter();
        var error = Assert.Throws<ArgumentException>(() => Functional.ChannelShuffle(Tensors.Zeros([1, 5, 2, 2]), 2));
        Assert.Contains("5 channels", error.Message);
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
