using PocketNet.Models.Complexity;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Analysis;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using Xunit.Abstractions;

namespace PocketNet.Onnx.Tests;

/// <summary>ShuffleFaceNet exported to ONNX: ONNX Runtime gives the engine's embeddings; the graph's FLOPs are known and exact.</summary>
public sealed class ShuffleFaceNetOnnxTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("shufflefacenet-0.5x")]
    [InlineData("shufflefacenet-1.5x")]
    public void Export_matches_the_engine_and_its_unfolded_flops_are_the_registry_ones(string name)
    {
        ModelConfig config = ModelRegistry.Resolve(name);
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        string path = Path.Combine(_folder.Path, "folded.onnx"), unfolded = Path.Combine(_folder.Path, "unfolded.onnx");
        OnnxExportResult result = OnnxExporter.Export(network, config, path);
        OnnxExporter.Export(network, config, unfolded, new OnnxExportOptions { FoldBatchNorm = false });
        output.WriteLine($"{name}: {result.NodeCount} nodes, " + string.Join(" ", result.Operators.Select(o => $"{o.Key}={o.Value}")));
        Assert.Equal(ShuffleUnits, result.Operators.GetValueOrDefault("Gather"));

        using OnnxSession session = OnnxSession.Open(path, new OnnxSessionOptions { IntraOpThreads = 2 });
        float[] images = TestNetworks.Images(2, phase: 1);
        float[] expected = TestNetworks.Forward(network, images, 2);
        double difference = TestNetworks.MaxAbsDifference(expected, session.Run(images, 2));
        double scale = expected.Max(v => Math.Abs(v));
        Assert.True(scale > 1e-2, "the embeddings are too small for the comparison to mean anything");
        Assert.True(difference < 1e-4 * Math.Max(1, scale), $"{name}: max |onnx - engine| = {difference:E3}");

        OnnxModelComplexity plain = OnnxGraphAnalysis.Analyze(unfolded);
        Assert.Empty(plain.UnknownOperators);
        Assert.Equal(FlopCounter.Count(network), plain.Flops);
    }

    private static int ShuffleUnits => PocketNet.Models.ShuffleFaceNets.ShuffleFaceNet.StageUnits.Sum();
}
