using PocketNet.Models.Baselines;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.Baselines;

public class IResNetTests
{
    // Measured with python/baselines_reference.py (PyTorch), trainable parameters only: the embedding
    // BatchNorm1d's frozen scale (E values) is excluded, as the reference's _calc_width excludes it.
    [Theory]
    [InlineData(18, 128, 14_390_528)]
    [InlineData(18, 512, 24_025_088)]
    [InlineData(34, 128, 24_504_256)]
    [InlineData(34, 512, 34_138_816)]
    [InlineData(50, 128, 33_955_776)]
    [InlineData(50, 512, 43_590_336)]
    [InlineData(100, 128, 55_521_088)]
    [InlineData(100, 512, 65_155_648)]
    public void HasTheReferenceParameterCounts(int depth, int embedding, long expected)
    {
        using var network = IResNet.Create(depth, embedding);
        Assert.Equal(expected, network.ParameterCount());
        Assert.Equal(expected + embedding, network.Parameters().Sum(p => p.NumEl));
    }

    [Fact]
    public void EmbeddingBatchNormScaleIsFrozenAtOneButSaved()
    {
        using var network = IResNet.IResNet18(embeddingSize: 128);
        var parameters = network.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        Tensor scale = parameters["features.weight"];
        Assert.False(scale.RequiresGrad);
        Assert.True(parameters["features.bias"].RequiresGrad);
        Assert.All(scale.ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.Contains(network.StateDict(), kv => kv.Key == "features.weight");
        Assert.Equal(["features.weight"], network.NamedParameters().Where(kv => !kv.Value.RequiresGrad).Select(kv => kv.Key));
    }

    [Fact]
    public void FrozenScaleGetsNoGradient()
    {
        using var scope = DisposeScope.Enter();
        using var network = IResNet.IResNet18(embeddingSize: 64);
        // Unit-scale weights so the training-mode pass stays finite; the freeze is what is under test.
        ParityWeights.Randomise(network);
        network.Train();
        network.Forward(ParityWeights.Images()).Square().Sum().Backward();
        var parameters = network.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Null(parameters["features.weight"].Grad);
        Assert.NotNull(parameters["features.bias"].Grad);
        Assert.NotNull(parameters["conv1.weight"].Grad);
    }

    [Fact]
    public void InitialisesAsTheReference()
    {
        using var scope = DisposeScope.Enter();
        using var network = IResNet.IResNet18();
        var state = network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.InRange(state["layer2.0.conv1.weight"].Std().Item(), 0.098, 0.102);
        Assert.InRange(state["layer1.0.downsample.0.weight"].Std().Item(), 0.095, 0.105);
        Assert.Equal(64, state["layer1.0.bn1.weight"].Sum().Item());
        Assert.Equal(0, state["layer4.1.bn3.bias"].Abs().Sum().Item());
        Assert.Equal(0.0, network.DropoutProbability);
        // PyTorch's default Linear init: U(+-1/sqrt(fan_in)).
        Assert.InRange(state["fc.weight"].Abs().Max().Item(), 0, 1 / Math.Sqrt(512 * 49) + 1e-9);
    }

    [Fact]
    public void EveryStageOpensWithAStridedProjectedBlock()
    {
        using var network = IResNet.IResNet34();
        var keys = network.StateDict().Select(kv => kv.Key).ToHashSet();
        for (int stage = 1; stage <= 4; stage++)
        {
            Assert.Contains($"layer{stage}.0.downsample.0.weight", keys);
            Assert.DoesNotContain($"layer{stage}.1.downsample.0.weight", keys);
        }
        Assert.Contains("layer3.5.bn3.running_var", keys);
        Assert.DoesNotContain("layer3.6.bn1.weight", keys);
    }

    [Fact]
    public void RejectsUnknownDepthsAndInputSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IResNet.Create(101));
        using var scope = DisposeScope.Enter();
        using var network = IResNet.IResNet18(32);
        Assert.Throws<ArgumentException>(() => network.Forward(Tensors.Zeros([1, 3, 96, 96])));
    }
}
