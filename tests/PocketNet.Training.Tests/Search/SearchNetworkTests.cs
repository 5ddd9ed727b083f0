using PocketNet.Models.Search;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Training.Tests.Search;

public sealed class SearchNetworkTests
{
    [Fact]
    public void ThePaperSupernetHasTheReferenceShape()
    {
        using var network = new SearchNetwork(classes: 10);
        // Measured with the reference's SearchCNNController(3, 16, 10, 8, ..., n_nodes=4, stem_multiplier=3),
        // whose state_dict has the same keys and shapes.
        Assert.Equal(2_793_818, network.Weights().Sum(w => w.NumEl));
        Assert.Equal(224, network.Alphas().Sum(a => a.NumEl));
        Assert.Equal(3688, network.StateDict().Count);
        Assert.Equal(7, network.Net.FinalResolution);
        Assert.Equal([false, false, true, false, false, true, false, true], network.Net.Cells.Select(c => c.IsReduction));
        Assert.Equal(48, network.StateDict().Single(kv => kv.Key == "net.stem.0.weight").Value.Size(0));
        Assert.Equal(7, network.StateDict().Single(kv => kv.Key == "net.tail.4.weight").Value.Size(3));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(56)]
    public void InputsThatCannotBeReducedEvenlyAreRefused(int size) =>
        Assert.Throws<ArgumentException>(() => new SearchNetwork(classes: 4, channels: 2, cells: 8, inputSize: size));

    [Fact]
    public void ASmallInputIsPooledByTheWholeFinalMap()
    {
        using var scope = DisposeScope.Enter();
        Engine.ManualSeed(1);
        using var network = new SearchNetwork(classes: 5, channels: 2, cells: 4, nodes: 2, inputSize: 32);
        Assert.Equal(2, network.Net.FinalResolution);
        Tensor logits = network.Forward(Tensors.Randn([2, 3, 32, 32]));
        Assert.Equal([2L, 5L], logits.Shape);
        Functional.CrossEntropy(logits, Tensors.FromArray(new long[] { 1, 4 })).Backward();
        Assert.All(network.Parameters(), p => Assert.NotNull(p.Grad));
    }
}
