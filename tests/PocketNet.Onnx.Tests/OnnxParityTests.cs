using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using Xunit.Abstractions;

namespace PocketNet.Onnx.Tests;

/// <summary>
/// Exported models run in ONNX Runtime give the engine's eval-mode embeddings, for every registry network
/// (iresnet34 and iresnet100 left out for time: they only stack more of iresnet18/50's blocks), on batches
/// of 2 and 3 through one session (the batch dimension is dynamic).
/// </summary>
public sealed class OnnxParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> RegistryModels => new()
    {
        "pocketnet-s-128", "pocketnet-s-256", "pocketnet-m-128", "pocketnet-m-256", "mobilefacenet", "iresnet18", "iresnet50",
        "ghostfacenet-v1-1.3-2", "ghostfacenet-v1-1.3-1", "shufflefacenet-0.5x", "shufflefacenet-1.0x",
    };

    [Theory]
    [MemberData(nameof(RegistryModels))]
    public void Registry_model_matches_the_engine(string name) => AssertParity(ModelRegistry.Resolve(name), new OnnxExportOptions());

    [Fact]
    public void Genotype_with_every_primitive_matches_the_engine() =>
        AssertParity(TestNetworks.EveryPrimitiveConfig, new OnnxExportOptions());

    [Fact]
    public void Unfolded_batch_norms_match_the_engine() =>
        AssertParity(TestNetworks.EveryPrimitiveConfig, new OnnxExportOptions { FoldBatchNorm = false });

    [Fact]
    public void Unfolded_mobilefacenet_matches_the_engine() =>
        AssertParity(ModelRegistry.Resolve("mobilefacenet"), new OnnxExportOptions { FoldBatchNorm = false });

    [Theory]
    [InlineData(OnnxExportOptions.MinimumOpset)]
    [InlineData(OnnxExportOptions.MaximumOpset)]
    public void Lowest_and_highest_opsets_match_the_engine(int opset) =>
        AssertParity(TestNetworks.EveryPrimitiveConfig, new OnnxExportOptions { Opset = opset });

    [Fact]
    public void Export_of_a_network_in_training_mode_is_its_eval_forward()
    {
        ModelConfig config = TestNetworks.EveryPrimitiveConfig;
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "model.onnx");
        network.Train();
        OnnxExporter.Export(network, config, path);
        network.Eval();
        float[] images = TestNetworks.Images(2);
        using OnnxSession session = OnnxSession.Open(path);
        Assert.True(TestNetworks.MaxAbsDifference(TestNetworks.Forward(network, images, 2), session.Run(images, 2)) < Tolerance);
    }

    private void AssertParity(ModelConfig config, OnnxExportOptions options)
    {
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "model.onnx");
        OnnxExportResult result = OnnxExporter.Export(network, config, path, options);
        output.WriteLine($"{config.DisplayName}: {result.Bytes / 1e6:F1} MB, {result.NodeCount} nodes, {result.FoldedBatchNorms} BNs folded, " +
                         string.Join(" ", result.Operators.Select(o => $"{o.Key}={o.Value}")));

        using OnnxSession session = OnnxSession.Open(path, new OnnxSessionOptions { IntraOpThreads = 2 });
        Assert.Equal([-1, 3, 112, 112], session.InputShape);
        Assert.Equal([-1, config.EmbeddingSize], session.OutputShape);
        foreach (int batch in new[] { 2, 3 })
        {
            float[] images = TestNetworks.Images(batch, phase: batch);
            float[] expected = TestNetworks.Forward(network, images, batch);
            float[] actual = session.Run(images, batch);
            Assert.Equal(batch * config.EmbeddingSize, actual.Length);
            double difference = TestNetworks.MaxAbsDifference(expected, actual);
            double scale = expected.Max(v => Math.Abs(v));
            output.WriteLine($"  batch {batch}: max |onnx - engine| = {difference:E2} (max |embedding| {scale:F3})");
            Assert.True(scale > 1e-2, "the embeddings are too small for the comparison to mean anything");
            Assert.True(difference < Tolerance, $"{config.DisplayName}, batch {batch}: max |onnx - engine| = {difference:E3}");
        }
    }
}
