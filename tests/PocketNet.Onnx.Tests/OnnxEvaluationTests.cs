using PocketNet.Evaluation;
using PocketNet.Models.Complexity;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Analysis;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using Xunit.Abstractions;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Tests;

/// <summary>ONNX models as the evaluation sees them: the ONNX Runtime embedder, and sizes read from the graph.</summary>
public sealed class OnnxEvaluationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Onnx_runtime_embeddings_with_flip_match_the_engine_through_the_same_extractor()
    {
        using Module<Tensor, Tensor> network = TestNetworks.Build(TestNetworks.EveryPrimitiveConfig);
        string path = Path.Combine(_folder.Path, "m.onnx");
        OnnxExporter.Export(network, TestNetworks.EveryPrimitiveConfig, path);
        float[] images = TestNetworks.Images(3);
        var list = Enumerable.Range(0, 3).Select(i => images.AsSpan(i * 3 * 112 * 112, 3 * 112 * 112).ToArray()).ToList();

        using OnnxEmbeddingModel onnx = OnnxEmbeddingModel.Open(path);
        Assert.Equal(64, onnx.Dimension);
        foreach (bool flip in new[] { false, true })
        {
            float[][] expected = new EmbeddingExtractor(network, batchSize: 2).Extract(list, 112, flip);
            float[][] actual = new EmbeddingExtractor(onnx, batchSize: 2).Extract(list, 112, flip);
            for (int i = 0; i < 3; i++) Assert.True(TestNetworks.MaxAbsDifference(expected[i], actual[i]) < 1e-3, $"image {i}, flip {flip}");
        }
    }

    [Fact]
    public void Mirroring_reverses_every_row()
    {
        float[] image = Enumerable.Range(0, 2 * 3).Select(i => (float)i).ToArray(); // two rows of width 3
        var mirrored = new float[6];
        OnnxEmbeddingModel.MirrorHorizontally(image, mirrored, 3);
        Assert.Equal([2f, 1, 0, 5, 4, 3], mirrored);
    }

    // every-primitive's zero edge is Mul by a float scalar constant 0: one more stored float.
    [Theory]
    // floatConstants: the graph's shared scalars (PReLU's 1 in s*x + (1 - s)*Relu(x); ReLU6's bounds), counted as parameters.
    [InlineData("pocketnet-s-128", 1)]
    [InlineData("shufflefacenet-0.5x", 1)] // channel split (Slice) and shuffle (Gather) cost nothing, as in the engine
    [InlineData("every-primitive", 2)]
    public void Unfolded_export_has_exactly_the_registry_flops_and_stores_the_batch_norm_statistics_as_parameters(string name, int floatConstants)
    {
        ModelConfig config = name == "every-primitive" ? TestNetworks.EveryPrimitiveConfig : ModelRegistry.Resolve(name);
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        string unfolded = Path.Combine(_folder.Path, "unfolded.onnx"), folded = Path.Combine(_folder.Path, "folded.onnx");
        OnnxExporter.Export(network, config, unfolded, new OnnxExportOptions { FoldBatchNorm = false });
        OnnxExportResult foldResult = OnnxExporter.Export(network, config, folded);

        long flops = FlopCounter.Count(network);
        long trainable = network.ParameterCount();
        // Every float tensor of the state dict: trainable weights plus the batch norms' running mean and variance.
        long stored = network.StateDict().Where(kv => kv.Value.DType == ScalarType.Float32).Sum(kv => kv.Value.NumEl);

        OnnxModelComplexity plain = OnnxGraphAnalysis.Analyze(unfolded);
        Assert.Empty(plain.UnknownOperators);
        Assert.Equal(flops, plain.Flops);
        Assert.Equal(stored + floatConstants, plain.Parameters);
        Assert.Equal([-1L, 3, 112, 112], plain.InputShape);

        // Folded: batch norms cost nothing, the convolutions they fold into gain a bias (1 per output element).
        OnnxModelComplexity fold = OnnxGraphAnalysis.Analyze(folded);
        Assert.Empty(fold.UnknownOperators);
        Assert.NotNull(fold.Flops);
        output.WriteLine($"{name}: registry {flops} FLOPs, {trainable} parameters; unfolded graph {plain.Flops} FLOPs, {plain.Parameters} parameters; " +
                         $"folded ({foldResult.FoldedBatchNorms} batch norms) {fold.Flops} FLOPs, {fold.Parameters} parameters");
        Assert.True(fold.Flops < flops);
        Assert.True(fold.Parameters < trainable);
    }

    [Fact]
    public void GhostFaceNets_same_padding_and_hard_sigmoid_keep_the_graph_analysable()
    {
        ModelConfig config = ModelRegistry.Resolve("ghostfacenet-v1-1.3-2");
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        string path = Path.Combine(_folder.Path, "ghost.onnx");
        OnnxExporter.Export(network, config, path, new OnnxExportOptions { FoldBatchNorm = false });
        OnnxModelComplexity size = OnnxGraphAnalysis.Analyze(path);
        Assert.Empty(size.UnknownOperators);
        // The graph's FLOPs are the engine's plus the squeeze-excitations' global pools and hard sigmoids (functional in
        // the engine, uncounted there; GlobalAveragePool and HardSigmoid nodes here).
        Assert.True(size.Flops > FlopCounter.Count(network), $"graph {size.Flops} FLOPs, engine {FlopCounter.Count(network)}");
        Assert.Equal([-1L, 3, 112, 112], size.InputShape);
    }

    [Fact]
    public void A_model_with_another_input_shape_is_refused_saying_what_is_needed()
    {
        string path = Path.Combine(_folder.Path, "mnist.onnx");
        WriteModel(path, [null, 1, 28, 28], "Flatten", [null, 784]);
        var error = Assert.Throws<InvalidDataException>(() => OnnxEmbeddingModel.Open(path));
        output.WriteLine(error.Message);
        Assert.Contains("[N, 1, 28, 28]", error.Message);
        Assert.Contains("[N, 3, 112, 112]", error.Message);
    }

    [Fact]
    public void Unknown_operators_leave_the_flops_unknown_rather_than_guessed()
    {
        string path = Path.Combine(_folder.Path, "odd.onnx");
        WriteModel(path, [null, 3, 112, 112], "Flatten", [null, 3 * 112 * 112], extraOp: "Hardmax");
        OnnxModelComplexity size = OnnxGraphAnalysis.Analyze(path);
        Assert.Null(size.Flops);
        Assert.Equal(["Hardmax"], size.UnknownOperators);
        using OnnxEmbeddingModel model = OnnxEmbeddingModel.Open(path);
        Assert.Equal(3 * 112 * 112, model.Dimension);
    }

    private static void WriteModel(string path, long?[] inputShape, string op, long?[] outputShape, string? extraOp = null)
    {
        var graph = new OnnxProto.GraphProto { Name = "test" };
        graph.Input.Add(ValueInfo("x", inputShape));
        graph.Output.Add(ValueInfo("y", outputShape));
        graph.Node.Add(new OnnxProto.NodeProto { OpType = op, Input = { "x" }, Output = { extraOp is null ? "y" : "h" } });
        if (extraOp is not null) graph.Node.Add(new OnnxProto.NodeProto { OpType = extraOp, Input = { "h" }, Output = { "y" } });
        var model = new OnnxProto.ModelProto { IrVersion = 8, Graph = graph, ProducerName = "test" };
        model.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = "", Version = 17 });
        using FileStream stream = File.Create(path);
        Google.Protobuf.MessageExtensions.WriteTo(model, stream);
    }

    private static OnnxProto.ValueInfoProto ValueInfo(string name, long?[] shape)
    {
        var tensorShape = new OnnxProto.TensorShapeProto();
        foreach (long? d in shape)
            tensorShape.Dim.Add(d is { } v ? new OnnxProto.TensorShapeProto.Types.Dimension { DimValue = v } : new OnnxProto.TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new OnnxProto.ValueInfoProto
        {
            Name = name,
            Type = new OnnxProto.TypeProto
            {
                TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)OnnxProto.TensorProto.Types.DataType.Float, Shape = tensorShape },
            },
        };
    }
}
