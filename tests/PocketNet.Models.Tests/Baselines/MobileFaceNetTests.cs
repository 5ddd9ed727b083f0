using PocketNet.Models.Baselines;
using PocketNet.Models.Complexity;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.Baselines;

public class MobileFaceNetTests
{
    [Fact]
    public void HasTheReferenceParameterCount()
    {
        using var network = new MobileFaceNet();
        Assert.Equal(999_936, network.ParameterCount());
    }

    [Fact]
    public void HasTheReferenceFlops()
    {
        // ReLU6 is not counted (the reference counter only matches nn.ReLU / nn.PReLU); dw_conv's ReLU counts twice.
        using var network = new MobileFaceNet();
        Assert.Equal(474.84, Math.Round(FlopCounter.Count(network) / 1e6, 2));
    }

    [Fact]
    public void EmbeddingSizeSetsTheLastConvAndBatchNorm()
    {
        using var scope = DisposeScope.Enter();
        using var network = new MobileFaceNet(embeddingSize: 256);
        // conv3 (512 -> E, with bias) and bn (E) grow by 128 channels over the default.
        Assert.Equal(999_936 + 128 * (512 + 1) + 2 * 128, network.ParameterCount());
        network.Eval();
        using var noGrad = Engine.NoGrad();
        Assert.Equal([2L, 256], network.Forward(Tensors.Zeros([2, 3, 112, 112])).Shape);
    }

    [Fact]
    public void InitialisesAsTheReference()
    {
        using var scope = DisposeScope.Enter();
        using var network = new MobileFaceNet();
        var state = network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);

        // kaiming-normal over fan_out: conv2's 1x1 conv has fan_out 512, so std sqrt(2/512).
        Assert.InRange(state["conv2.0.weight"].Std().Item(), 0.95 * Math.Sqrt(2.0 / 512), 1.05 * Math.Sqrt(2.0 / 512));
        // The stem's fan_out is 64 * 3 * 3.
        Assert.InRange(state["conv1.0.weight"].Std().Item(), 0.9 * Math.Sqrt(2.0 / 576), 1.1 * Math.Sqrt(2.0 / 576));
        Assert.Equal(0, state["conv3.bias"].Abs().Sum().Item());
        Assert.Equal(128, state["bn.weight"].Sum().Item());
        Assert.Equal(0, state["bn.bias"].Abs().Sum().Item());
    }

    [Fact]
    public void UsesResidualsWhereShapesAreKept()
    {
        using var network = new MobileFaceNet();
        var blocks = network.NamedModules().Select(kv => kv.Value).OfType<InvertedResidual>().ToList();
        Assert.Equal(15, blocks.Count);
        // Every block but the first of each stage that changes stride or width: 4 + 0 + 6 + 0 + 2.
        Assert.Equal(12, blocks.Count(b => b.HasResidual));
        // An expanding block has two ReLU6 (expansion and depthwise); the projection is linear.
        Assert.Equal(["features.0.conv.0.2", "features.0.conv.1.2"],
            network.NamedModules().Where(kv => kv.Value is ReLU6 && kv.Key.StartsWith("features.0.", StringComparison.Ordinal)).Select(kv => kv.Key));
    }
}
