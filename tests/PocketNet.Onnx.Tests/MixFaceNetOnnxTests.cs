using PocketNet.Models.Complexity;
using PocketNet.Models.MixFaceNets;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Analysis;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using Xunit.Abstractions;

namespace PocketNet.Onnx.Tests;

/// <summary>
/// MixFaceNets exported to ONNX: ONNX Runtime gives the engine's embeddings (MixConv slices, squeeze-excitation,
/// Swish, the shuffle's Gather), and the graph analysis knows every operator, its unfolded FLOPs being the registry's.
/// </summary>
public sealed class MixFaceNetOnnxTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("mixfacenet-xs", true)]
    [InlineData("shufflemixfacenet-xs", true)]
    [InlineData("shufflemixfacenet-m", true)]
    [InlineData("shufflemixfacenet-xs", false)]
    public void Export_matches_the_engine(string name, bool foldBatchNorm)
    {
        ModelConfig config = ModelRegistry.Resolve(name);
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        string path = Path.Combine(_folder.Path, $"{name}.onnx");
        OnnxExportResult result = OnnxExporter.Export(network, config, path, new OnnxExportOptions { FoldBatchNorm = foldBatchNorm });
        output.WriteLine($"{name}: {result.NodeCount} nodes, {result.FoldedBatchNorms} BNs folded, " +
                         string.Join(" ", result.Operators.Select(o => $"{o.Key}={o.Value}")));
        // one shuffle per unit in ShuffleMixFaceNets; MixFaceNets shuffle only in the stem's unit, as the official code does
        int units = network.NamedModules().Count(m => m.Value is MixUnit);
        Assert.Equal(config.Architecture == Architecture.ShuffleMixFaceNet ? units : 1, result.Operators.GetValueOrDefault("Gather"));

        using OnnxSession session = OnnxSession.Open(path, new OnnxSessionOptions { IntraOpThreads = 2 });
        foreach (int batch in new[] { 2, 3 })
        {
            float[] images = TestNetworks.Images(batch, phase: batch);
            float[] expected = TestNetworks.Forward(network, images, batch);
            float[] actual = session.Run(images, batch);
            double difference = TestNetworks.MaxAbsDifference(expected, actual);
            double scale = expected.Max(v => Math.Abs(v));
            output.WriteLine($"  batch {batch}: max |onnx - engine| = {difference:E2} (max |embedding| {scale:F3})");
            Assert.True(scale > 1e-2, "the embeddings are too small for the comparison to mean anything");
            Assert.True(difference < Tolerance * Math.Max(1, scale), $"{name}, batch {batch}: max |onnx - engine| = {difference:E3}");
        }
    }

    [Theory]
    [InlineData("mixfacenet-xs")]
    [InlineData("shufflemixfacenet-s")]
    public void Unfolded_export_has_exactly_the_registry_flops_and_folded_ones_are_known(string name)
    {
        ModelConfig config = ModelRegistry.Resolve(name);
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        string unfolded = Path.Combine(_folder.Path, "unfolded.onnx"), folded = Path.Combine(_folder.Path, "folded.onnx");
        OnnxExporter.Export(network, config, unfolded, new OnnxExportOptions { FoldBatchNorm = false });
        OnnxExporter.Export(network, config, folded);

        OnnxModelComplexity plain = OnnxGraphAnalysis.Analyze(unfolded);
        Assert.Empty(plain.UnknownOperators);
        Assert.Equal(FlopCounter.Count(network), plain.Flops);

        OnnxModelComplexity fold = OnnxGraphAnalysis.Analyze(folded);
        Assert.Empty(fold.UnknownOperators);
        Assert.True(fold.Flops < plain.Flops);
    }
}
