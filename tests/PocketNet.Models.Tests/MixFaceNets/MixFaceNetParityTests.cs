using PocketNet.Models.MixFaceNets;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Serialization;

namespace PocketNet.Models.Tests.MixFaceNets;

/// <summary>
/// MixFaceNets against the PyTorch build of the official wiring (python/mixfacenet_reference.py): state_dict keys,
/// order, shapes and types; the eval forward on identical weights; and a checkpoint PyTorch saved with torch.save
/// under the official key names, imported the way a published one is (TorchCheckpoint, strict LoadStateDict).
/// </summary>
public class MixFaceNetParityTests
{
    private static Module<Tensor, Tensor> Build(string name) => ModelRegistry.Create(ModelRegistry.Resolve(name));

    [Theory]
    [InlineData("mixfacenet-xs")]
    [InlineData("mixfacenet-s")]
    [InlineData("shufflemixfacenet-m")]
    public void StateDictKeysOrderShapesAndTypesMatchTheOfficialNames(string name)
    {
        var expected = MixFaceNetOracle.StateDictLayout(name);
        using var network = Build(name);
        var actual = network.StateDict().Select(kv => (kv.Key, kv.Value.Shape, RawTensors.DTypeName(kv.Value.DType))).ToList();

        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Key));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Key}: PyTorch [{string.Join(", ", e.Shape)}], ours [{string.Join(", ", a.Shape)}]");
            Assert.True(e.DType == a.Item3, $"{e.Key}: PyTorch {e.DType}, ours {a.Item3}");
        }
        // a few of the official keys, spelled out (the head's misspelt "feautre_layer" included)
        Assert.Contains("features.init_block.conv2.conv1.conv.weight", actual.Select(a => a.Key));
        Assert.Contains("feautre_layer.dw_conv.bn.running_var", actual.Select(a => a.Key));
    }

    [Theory]
    [InlineData("mixfacenet-xs")]
    [InlineData("shufflemixfacenet-xs")]
    [InlineData("shufflemixfacenet-m")]
    public void EvalForwardMatchesPyTorchOnTheSameWeights(string name)
    {
        using var scope = DisposeScope.Enter();
        using var network = Build(name);
        ParityWeights.Randomise(network);
        network.Eval();
        Tensor images = ParityWeights.Images(batch: 2, size: 112);
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(images).ToArray<float>();

        float[] reference = MixFaceNetOracle.Forward(name, network.StateDict(), images);
        AssertClose(reference, ours, name);
    }

    [Theory]
    [InlineData("mixfacenet-xs")]
    [InlineData("shufflemixfacenet-xs")]
    public void AnOfficialNameCheckpointSavedByPyTorchImportsAndGivesItsEmbedding(string name)
    {
        using var scope = DisposeScope.Enter();
        using var folder = new TempDirectory();
        Tensor images = ParityWeights.Images(batch: 2, size: 112);
        float[] reference = MixFaceNetOracle.SaveCheckpoint(name, seed: 7, folder.Path, images);

        using var network = Build(name);
        using (TensorDictionary weights = TorchCheckpoint.Load(Path.Combine(folder.Path, "official.pth")))
            network.LoadStateDict(weights);
        network.Eval();
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(images).ToArray<float>();
        AssertClose(reference, ours, name);
        // the frozen embedding scale stays frozen after the import
        Assert.Equal(network.Parameters().Sum(p => p.NumEl) - 512, network.ParameterCount());
    }

    [Fact]
    public void MixConvSplitsChannelsAsTheOfficialCodeDoes()
    {
        Assert.Equal([34L, 33, 33], MixConv.Split(100, 3));
        Assert.Equal([48L, 48], MixConv.Split(96, 2));
        Assert.Equal(8, MixFaceNetLayout.RoundChannels(16 * 0.5));
        Assert.Equal(16, MixFaceNetLayout.RoundChannels(20 * 0.5)); // 10 rounds to 8, which loses over 10 %: 16
        Assert.Equal(64, MixFaceNetLayout.RoundChannels(120 * 0.5));
    }

    private static void AssertClose(float[] reference, float[] ours, string name)
    {
        Assert.Equal(reference.Length, ours.Length);
        double maxDiff = ours.Zip(reference, (a, b) => Math.Abs((double)a - b)).Max();
        double scale = reference.Max(v => Math.Abs((double)v));
        // Embeddings near unit scale (BN at the end), so an absolute tolerance is meaningful.
        Assert.InRange(scale, 0.1, 100);
        Assert.True(maxDiff < 1e-4 * Math.Max(1, scale), $"{name}: max |ours - PyTorch| = {maxDiff:g3} (max |output| {scale:g3})");
    }
}
