using PocketNet.Models.EdgeFace;
using PocketNet.Models.Registry;
using PocketNet.Models.Tests.Parity;
using PocketNet.Models.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Serialization;

namespace PocketNet.Models.Tests.EdgeFace;

/// <summary>
/// Our EdgeFace against a PyTorch build of the official wiring (python/edgeface_reference.py: otroshi/edgeface's
/// TimmFRWrapperV2 around timm's EdgeNeXt, linear layers replaced by LoRaLin pairs): state_dict keys, order and
/// shapes; eval embeddings on identical weights; and a checkpoint PyTorch saved under the official names.
/// </summary>
public class EdgeFaceParityTests
{
    // Float32 through ~20 blocks of LayerNorm, attention softmax and GELU, the same ATen kernels on both sides:
    // differences are reassociation only, orders below this; a wiring mistake moves embeddings by O(1).
    private const double Atol = 2e-4, Rtol = 2e-4;

    [Theory]
    [InlineData("edgeface-xxs")]
    [InlineData("edgeface-xs")]
    [InlineData("edgeface-s")]
    public void StateDictKeysOrderAndShapesAreTheOfficialOnes(string name)
    {
        var expected = EdgeFaceOracle.StateDictLayout(name);
        using var network = ModelRegistry.Create(ModelRegistry.Resolve(name));
        var actual = network.StateDict().Select(kv => (kv.Key, kv.Value.Shape)).ToList();

        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Key));
        foreach (var (e, a) in expected.Zip(actual))
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Key}: PyTorch [{string.Join(", ", e.Shape)}], ours [{string.Join(", ", a.Shape)}]");
    }

    [Theory]
    [InlineData("edgeface-xxs", 11)]
    [InlineData("edgeface-xs", 12)]
    [InlineData("edgeface-s", 13)]
    public void EvalEmbeddingsMatchPyTorchOnTheSameWeights(string name, int seed)
    {
        using var scope = DisposeScope.Enter();
        using var network = ModelRegistry.Create(ModelRegistry.Resolve(name));
        SeededWeights.Randomise(network, seed);
        network.Eval();
        Tensor images = ParityWeights.Images();
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(images).ToArray<float>();

        var theirs = EdgeFaceOracle.Forward(name, network.StateDict(), images);
        Assert.Equal([2L, 512], theirs.Shape);
        AssertClose(name, ours, theirs.ToFloats());
    }

    [Fact]
    public void ACheckpointSavedByPyTorchUnderTheOfficialNamesLoadsAndGivesItsEmbeddings()
    {
        using var scope = DisposeScope.Enter();
        using var folder = new TempDirectory();
        var (checkpoint, input, output) = EdgeFaceOracle.SaveCheckpoint("edgeface-xs", 20231006, folder.Path);

        using var network = ModelRegistry.Create(ModelRegistry.Resolve("edgeface-xs"));
        using (TensorDictionary state = TorchCheckpoint.Load(checkpoint))
        {
            Assert.StartsWith("model.stem.0.weight", state.Keys.First());
            network.LoadStateDict(state); // strict: every key present, none left over, shapes equal
        }
        network.Eval();
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(input.ToTensor()).ToArray<float>();
        AssertClose("edgeface-xs from edgeface.pt", ours, output.ToFloats());
    }

    [Fact]
    public void AFullRankCheckpointDoesNotLoadIntoTheLowRankVariant()
    {
        // edgeface-xxs keeps nn.Linear (mlp.fc1.weight); edgeface-xs expects mlp.fc1.linear1.weight and friends.
        using var xxs = ModelRegistry.Create(ModelRegistry.Resolve("edgeface-xxs"));
        using var wide = new EdgeFaceNetwork(EdgeFaceVariant.ExtraExtraSmall with { RankRatio = 0.6 });
        var error = Assert.Throws<StateDictMismatchException>(() => wide.LoadStateDict(xxs.StateDict().ToDictionary()));
        Assert.Contains("model.stages.0.blocks.0.mlp.fc1.linear1.weight", error.Missing);
        Assert.Contains("model.stages.0.blocks.0.mlp.fc1.weight", error.Unexpected);
    }

    [Theory]
    [InlineData(new[] { 8, 16, 24, 32 }, new[] { 1, 2, 2, 1 }, 3, 0.5, "divide into 3 heads")]
    [InlineData(new[] { 8, 16, 4, 32 }, new[] { 1, 2, 2, 1 }, 1, null, "do not cut into 3 groups")] // chunk(4, 3): 2 + 2
    [InlineData(new[] { 8, 16, 24 }, new[] { 1, 2, 2 }, 2, null, "four stages")]
    [InlineData(new[] { 8, 16, 24, 32 }, new[] { 1, 2, 2, 1 }, 2, 1.5, "rank ratio")]
    public void AnImpossibleVariantIsRefusedSayingWhy(int[] widths, int[] depths, int heads, double? rankRatio, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => new EdgeFaceNetwork(new EdgeFaceVariant(widths, depths, heads, rankRatio)));
        Assert.Contains(reason, error.Message);
    }

    private static void AssertClose(string name, float[] ours, float[] theirs)
    {
        double scale = theirs.Max(v => Math.Abs((double)v));
        Assert.InRange(scale, 0.1, 100); // activations near unit scale: the tolerance means something
        Closeness.AssertNone(Closeness.Check(name, ours, theirs, Atol, Rtol) is { } failure ? [failure] : [], name);
    }
}
