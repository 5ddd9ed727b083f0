using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Tests;

/// <summary>What the exported file holds: interface, operators and their attributes, metadata, self-containment.</summary>
public sealed class OnnxGraphStructureTests
{
    [Fact]
    public void PocketNet_has_the_published_interface_and_metadata()
    {
        ModelConfig config = ModelRegistry.Resolve("pocketnet-s-128");
        var (model, result, parameters) = Export(config);

        Assert.True(model.OpsetImport.Single(o => o.Domain == "").Version >= 13);
        Assert.Equal(OnnxExporter.Producer, model.ProducerName);
        OnnxProto.ValueInfoProto input = Assert.Single(model.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal((int)OnnxProto.TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        Assert.Equal(["batch", "3", "112", "112"], Dims(input));
        OnnxProto.ValueInfoProto output = Assert.Single(model.Graph.Output);
        Assert.Equal("embedding", output.Name);
        Assert.Equal(["batch", "128"], Dims(output));

        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("128", metadata["embedding_size"]);
        Assert.Equal("(x/255-0.5)/0.5 RGB", metadata["input_normalization"]);
        Assert.Equal("pocketnet-s-128", metadata["model_name"]);
        Assert.Equal(parameters.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["parameters"]);
        Assert.Equal("PocketNet Portal", metadata["producer"]);
        Assert.Equal(config.Genotype, metadata["genotype"]);
        Assert.Contains("\"embedding_size\":128", metadata["model_config"]);
        Assert.Equal(metadata, result.Metadata);
    }

    [Fact]
    public void PocketNet_folds_its_batch_norms_and_writes_each_layer_kind_as_specified()
    {
        var (model, result, _) = Export(ModelRegistry.Resolve("pocketnet-s-128"));
        var nodes = model.Graph.Node;
        Assert.DoesNotContain(nodes, n => n.OpType is "BatchNormalization" or "Dropout" or "Identity");
        Assert.True(result.FoldedBatchNorms > 100);

        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name);
        // PReLU is written as s*x + (1 - s)*Relu(x) (ONNX Runtime runs that far faster than PRelu); its slope stays [C, 1, 1].
        Assert.DoesNotContain(nodes, n => n.OpType == "PRelu");
        var slopes = nodes.Where(n => n.OpType == "Sub" && n.Input[0] == "const.one").Select(n => initializers[n.Input[1]].Dims).ToList();
        Assert.NotEmpty(slopes);
        Assert.All(slopes, slope =>
        {
            Assert.Equal(3, slope.Count);
            Assert.Equal([1L, 1L], slope.Skip(1));
        });
        var convs = nodes.Where(n => n.OpType == "Conv").ToList();
        // each folded BN became a conv bias (FactorizedReduce's BN becomes the bias of two convs)
        Assert.True(convs.Count(conv => conv.Input.Count == 3) >= result.FoldedBatchNorms);
        Assert.DoesNotContain(nodes, n => n.Name.StartsWith('.'));
        Assert.Contains(convs, conv => Int(conv, "group") > 1 && Int(conv, "group") == initializers[conv.Input[1]].Dims[0]);
        Assert.Contains(nodes, n => n.OpType == "MaxPool" && Ints(n, "strides").SequenceEqual([2L, 2L]));
        Assert.Contains(nodes, n => n.OpType == "Slice"); // FactorizedReduce's one-pixel shift
        Assert.Equal("Flatten", nodes.Last().OpType);
        Assert.Equal("embedding", nodes.Last().Output.Single());
    }

    [Fact]
    public void Every_primitive_maps_to_its_operators()
    {
        var (model, _, _) = Export(TestNetworks.EveryPrimitiveConfig);
        var nodes = model.Graph.Node;
        OnnxProto.NodeProto average = nodes.First(n => n.OpType == "AveragePool");
        Assert.Equal(0, Int(average, "count_include_pad"));
        Assert.Equal([3L, 3L], Ints(average, "kernel_shape"));
        Assert.Equal([1L, 1L, 1L, 1L], Ints(average, "pads"));
        // the strided none edge: a step-2 Slice, then times zero
        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name);
        Assert.Contains(nodes, n => n.OpType == "Slice" && n.Input.Count == 5);
        Assert.Contains(nodes, n => n.OpType == "Mul" && n.Input.Any(i => initializers.TryGetValue(i, out var t) && t.Dims.Count == 0));
    }

    [Fact]
    public void MobileFaceNet_writes_relu6_as_clip_and_keeps_its_residuals()
    {
        var (model, _, _) = Export(ModelRegistry.Resolve("mobilefacenet"));
        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name);
        var clips = model.Graph.Node.Where(n => n.OpType == "Clip").ToList();
        Assert.NotEmpty(clips);
        Assert.All(clips, clip =>
        {
            Assert.Equal(0f, Scalar(initializers[clip.Input[1]]));
            Assert.Equal(6f, Scalar(initializers[clip.Input[2]]));
        });
        Assert.Contains(model.Graph.Node, n => n.OpType == "Add");
    }

    [Fact]
    public void IResNet_writes_its_linear_layer_as_gemm_and_unfoldable_batch_norms_as_mul_add()
    {
        var (model, _, _) = Export(ModelRegistry.Resolve("iresnet18"));
        var nodes = model.Graph.Node;
        OnnxProto.NodeProto gemm = Assert.Single(nodes, n => n.OpType == "Gemm");
        Assert.Equal(1, Int(gemm, "transB"));
        Assert.Equal(3, gemm.Input.Count);
        Assert.Equal("embedding", gemm.Output.Single()); // the embedding BatchNorm1d is folded into it
        Assert.DoesNotContain(nodes, n => n.OpType is "BatchNormalization" or "Dropout");
        // each block's opening BN (its input feeds the shortcut too) and the final bn2: 8 + 1 (PReLU's Muls aside)
        var preluScales = nodes.Where(n => n.OpType == "Sub" && n.Input[0] == "const.one").SelectMany(n => new[] { n.Input[1], n.Output[0] }).ToHashSet();
        Assert.Equal(9, nodes.Count(n => n.OpType == "Mul" && !preluScales.Contains(n.Input[1])));
    }

    [Fact]
    public void Unfolded_export_writes_one_batch_normalization_per_batch_norm()
    {
        ModelConfig config = TestNetworks.EveryPrimitiveConfig;
        var (model, result, _) = Export(config, new OnnxExportOptions { FoldBatchNorm = false });
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        int batchNorms = network.NamedModules().Count(m => m.Value is BatchNorm);
        Assert.Equal(batchNorms, model.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.Equal(0, result.FoldedBatchNorms);
    }

    [Fact]
    public void The_file_is_self_contained_and_topologically_ordered()
    {
        var (model, _, _) = Export(TestNetworks.EveryPrimitiveConfig);
        Assert.All(model.Graph.Initializer, tensor =>
        {
            Assert.Empty(tensor.ExternalData);
            Assert.Equal(OnnxProto.TensorProto.Types.DataLocation.Default, tensor.DataLocation);
            long count = tensor.Dims.Aggregate(1L, (a, b) => a * b);
            int elementSize = tensor.DataType == (int)OnnxProto.TensorProto.Types.DataType.Float ? 4 : 8;
            Assert.Equal(count * elementSize, tensor.RawData.Length);
        });
        var known = model.Graph.Initializer.Select(i => i.Name).Append("input").ToHashSet();
        foreach (OnnxProto.NodeProto node in model.Graph.Node)
        {
            Assert.All(node.Input, name => Assert.Contains(name, known));
            foreach (string produced in node.Output) Assert.True(known.Add(produced), $"'{produced}' is produced twice");
        }
        var read = model.Graph.Node.SelectMany(n => n.Input).ToHashSet();
        Assert.All(model.Graph.Initializer, i => Assert.Contains(i.Name, read)); // no leftovers of folding
    }

    [Fact]
    public void A_fixed_batch_export_has_no_symbolic_dimension()
    {
        var (model, _, _) = Export(TestNetworks.EveryPrimitiveConfig, new OnnxExportOptions { DynamicBatch = false, BatchSize = 4 });
        Assert.Equal(["4", "3", "112", "112"], Dims(model.Graph.Input.Single()));
        Assert.Equal(["4", "64"], Dims(model.Graph.Output.Single()));
    }

    [Fact]
    public void Options_and_configs_that_do_not_fit_are_refused()
    {
        ModelConfig config = TestNetworks.EveryPrimitiveConfig;
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(network, config, stream, new OnnxExportOptions { Opset = 12 }));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, config with { EmbeddingSize = 128 }, stream));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, config with { Channels = 16 }, stream));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, ModelRegistry.Resolve("mobilefacenet") with { EmbeddingSize = 64 }, stream));
        var clash = new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["embedding_size"] = "1" } };
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(network, config, stream, clash));
        using var unsupported = new Sequential(new Conv2d(3, 4, 3));
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(unsupported, config, stream));
        Assert.Contains("Sequential", error.Message);
    }

    [Fact]
    public void Extra_metadata_is_written()
    {
        var options = new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["run"] = "run-42" }, ModelName = "mine" };
        var (model, _, _) = Export(TestNetworks.EveryPrimitiveConfig, options);
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("run-42", metadata["run"]);
        Assert.Equal("mine", metadata["model_name"]);
        Assert.Equal("mine", model.Graph.Name);
    }

    private static (OnnxProto.ModelProto Model, OnnxExportResult Result, long Parameters) Export(ModelConfig config, OnnxExportOptions? options = null)
    {
        using Module<Tensor, Tensor> network = TestNetworks.Build(config);
        using var stream = new MemoryStream();
        OnnxExportResult result = OnnxExporter.Export(network, config, stream, options);
        Assert.Equal(stream.Length, result.Bytes);
        return (OnnxProto.ModelProto.Parser.ParseFrom(stream.ToArray()), result, network.ParameterCount());
    }

    private static string[] Dims(OnnxProto.ValueInfoProto value) =>
        value.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == OnnxProto.TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static long Int(OnnxProto.NodeProto node, string name) => node.Attribute.Single(a => a.Name == name).I;

    private static long[] Ints(OnnxProto.NodeProto node, string name) => node.Attribute.Single(a => a.Name == name).Ints.ToArray();

    private static float Scalar(OnnxProto.TensorProto tensor)
    {
        Assert.Empty(tensor.Dims);
        return BitConverter.ToSingle(tensor.RawData.Span);
    }
}
