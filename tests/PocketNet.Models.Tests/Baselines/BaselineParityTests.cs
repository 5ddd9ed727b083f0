using PocketNet.Models.Baselines;
using PocketNet.Models.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Tests.Baselines;

/// <summary>The C# baselines against PyTorch builds of the same wiring (python/baselines_reference.py).</summary>
public class BaselineParityTests
{
    private static Module<Tensor, Tensor> Build(string name, int embeddingSize) => name == "mobilefacenet"
        ? new MobileFaceNet(embeddingSize)
        : IResNet.Create(int.Parse(name["iresnet".Length..]), embeddingSize);

    [Theory]
    [InlineData("mobilefacenet", 128)]
    [InlineData("mobilefacenet", 256)]
    [InlineData("iresnet18", 128)]
    public void StateDictKeysOrderShapesAndTypesMatchPyTorch(string name, int embeddingSize)
    {
        var expected = BaselineOracle.StateDictLayout(name, embeddingSize);
        using var network = Build(name, embeddingSize);
        var actual = network.StateDict().Select(kv => (kv.Key, kv.Value.Shape, RawTensors.DTypeName(kv.Value.DType))).ToList();

        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Key));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Key}: PyTorch [{string.Join(", ", e.Shape)}], ours [{string.Join(", ", a.Shape)}]");
            Assert.True(e.DType == a.Item3, $"{e.Key}: PyTorch {e.DType}, ours {a.Item3}");
        }
    }

    [Theory]
    [InlineData("mobilefacenet", 128)]
    [InlineData("iresnet18", 512)]
    public void EvalForwardMatchesPyTorchOnTheSameWeights(string name, int embeddingSize)
    {
        using var scope = DisposeScope.Enter();
        using var network = Build(name, embeddingSize);
        ParityWeights.Randomise(network);
        network.Eval();
        Tensor images = ParityWeights.Images();
        float[] ours;
        using (Engine.NoGrad()) ours = network.Forward(images).ToArray<float>();

        var theirs = BaselineOracle.Forward(name, embeddingSize, network.StateDict(), images);
        Assert.Equal([2L, embeddingSize], theirs.Shape);
        float[] reference = theirs.ToFloats();
        double maxDiff = ours.Zip(reference, (a, b) => Math.Abs((double)a - b)).Max();
        double scale = reference.Max(v => Math.Abs((double)v));
        // The weights keep activations near unit scale, so an absolute tolerance is meaningful.
        Assert.InRange(scale, 0.1, 100);
        Assert.True(maxDiff < 1e-4, $"max |ours - PyTorch| = {maxDiff:g3} (max |output| {scale:g3})");
    }

    [Fact]
    public void ParameterCountsMatchPyTorch()
    {
        string[] specs = ["mobilefacenet:128", "mobilefacenet:256",
            .. new[] { 18, 34, 50, 100 }.SelectMany(d => new[] { $"iresnet{d}:128", $"iresnet{d}:512" })];
        var counts = BaselineOracle.ParameterCounts(specs);
        foreach (string spec in specs)
        {
            string[] parts = spec.Split(':');
            using var network = Build(parts[0], int.Parse(parts[1]));
            Assert.True(counts[spec] == (network.ParameterCount(), network.Parameters().Sum(p => p.NumEl)),
                $"{spec}: PyTorch {counts[spec]}, ours ({network.ParameterCount()}, {network.Parameters().Sum(p => p.NumEl)})");
        }
    }
}
