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

/// <summary>
/// EdgeFace exported to ONNX (LayerNormalization, exact GELU through Erf, the transposed attention as MatMul, Softmax
/// and LpNormalization, low-rank linear layers as MatMul pairs) gives the engine's embeddings in ONNX Runtime, and
/// the graph analysis knows its cost.
/// </summary>
public sealed class EdgeFaceOnnxTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("edgeface-xxs", 17)]
    [InlineData("edgeface-xs", 17)]
    [InlineData("edgeface-s", OnnxExportOptions.MaximumOpset)]
    public void Export_matches_the_engine(string name, int opset)
    {
        ModelConfig config = ModelRegistry.Resolve(name);
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "model.onnx");
        OnnxExportResult result = OnnxExporter.Export(network, config, path, new OnnxExportOptions { Opset = opset });
        output.WriteLine($"{name}: {result.NodeCount} nodes, " + string.Join(" ", result.Operators.Select(o => $"{o.Key}={o.Value}")));

        using OnnxSession session = OnnxSession.Open(path, new OnnxSessionOptions { IntraOpThreads = 2 });
        Assert.Equal([-1, 512], session.OutputShape);
        foreach (int batch in new[] { 1, 2 })
        {
            float[] images = TestNetworks.Images(batch, phase: batch);
            float[] expected = TestNetworks.Forward(network, images, batch);
            double difference = TestNetworks.MaxAbsDifference(expected, session.Run(images, batch));
            double scale = expected.Max(v => Math.Abs(v));
            output.WriteLine($"  batch {batch}: max |onnx - engine| = {difference:E2} (max |embedding| {scale:F3})");
            Assert.True(scale > 1e-1, "the embeddings are too small for the comparison to mean anything");
            Assert.True(difference < Tolerance, $"{name}, batch {batch}: max |onnx - engine| = {difference:E3}");
        }
    }

    [Fact]
    public void Graph_analysis_counts_the_engines_flops_by_the_same_rules()
    {
        // Three differences, each from what the graph computes: the positional encoding is a constant of the graph
        // (its 1x1 projection ran at export); token-wise linear layers add their bias with an Add, which the analysis
        // counts as free like every Add; the head's mean over 3x3 is a GlobalAveragePool, which it counts as a pool.
        ModelConfig config = ModelRegistry.Resolve("edgeface-xs");
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "model.onnx");
        OnnxExporter.Export(network, config, path);

        OnnxModelComplexity complexity = OnnxGraphAnalysis.Analyze(path);
        Assert.Empty(complexity.UnknownOperators);
        var (tokenBiases, positionalProjection) = ExportedDifferences(network);
        const long headPool = 3 * 3 * 192;
        Assert.Equal(FlopCounter.Measure(network).Flops - tokenBiases - positionalProjection + headPool, complexity.Flops);
    }

    [Fact]
    public void An_opset_without_LayerNormalization_is_refused_by_name()
    {
        ModelConfig config = ModelRegistry.Resolve("edgeface-xxs");
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var stream = new MemoryStream();
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, config, stream, new OnnxExportOptions { Opset = 16 }));
        Assert.Contains("opset 17", error.Message);
        Assert.Contains("LayerNormalization", error.Message);
    }

    private static (long TokenBiases, long PositionalProjection) ExportedDifferences(Module<Tensor, Tensor> network)
    {
        var projections = network.NamedModules().Where(m => m.Key.EndsWith("pos_embd.token_projection", StringComparison.Ordinal))
            .Select(m => m.Value).ToHashSet();
        long biases = 0, projection = 0;
        using var scope = DisposeScope.Enter();
        using var noGrad = Engine.NoGrad();
        network.Eval();
        using (LayerObserver.Observe((layer, input, result) =>
               {
                   if (layer is Linear { Bias: not null } && input.Dim > 2) biases += result.NumEl;
                   if (layer is Conv2d conv && projections.Contains(conv)) projection += result.NumEl * (2 * conv.InChannels + 1);
               }))
            network.Forward(Tensors.Zeros([1, 3, 112, 112]));
        return (biases, projection);
    }
}
