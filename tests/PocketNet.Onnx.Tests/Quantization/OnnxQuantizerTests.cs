using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using PocketNet.Data.Imaging;
using PocketNet.Data.Synth;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Quantization;
using PocketNet.Onnx.Runtime;
using PocketNet.Onnx.Tests.Support;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using Xunit.Abstractions;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Tests.Quantization;

/// <summary>int8 QDQ models: their structure, what ONNX Runtime makes of them, and how close they stay to the float model.</summary>
public sealed class OnnxQuantizerTests(ITestOutputHelper output) : IDisposable
{
    private const int Pixels = 3 * 112 * 112;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Quantised_pocketnet_runs_in_onnx_runtime_with_qdq_around_every_conv_and_keeps_its_embeddings()
    {
        ModelConfig config = ModelRegistry.Resolve("pocketnet-s-128");
        string fp32 = Path.Combine(_folder.Path, "s128.onnx"), int8 = Path.Combine(_folder.Path, "s128-int8.onnx");
        using (Module<Tensor, Tensor> network = TestNetworks.Build(config)) OnnxExporter.Export(network, config, fp32);

        // Calibration on 24 SynthFaces images of identities 0-11; held out: 12 images of identities 500-511.
        List<float[]> calibration = Enumerable.Range(0, 24).Select(i => Face(i / 2, i % 2)).ToList();
        QuantizationResult result = OnnxQuantizer.Quantize(fp32, int8, calibration, "SynthFaces (test)");
        Assert.Equal(24, result.CalibrationImages);
        output.WriteLine($"{string.Join(", ", result.QuantizedOperators.Select(kv => $"{kv.Key} {kv.Value}"))}; {result.QuantizedTensors} tensors; " +
                         $"{result.FloatBytes} -> {result.QuantizedBytes} bytes");

        OnnxProto.ModelProto model = Load(int8);
        var producers = model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var readers = model.Graph.Node.SelectMany(n => n.Input.Select(i => (i, n))).ToLookup(p => p.i, p => p.n);
        var convs = model.Graph.Node.Where(n => n.OpType == "Conv").ToList();
        Assert.Equal(Load(fp32).Graph.Node.Count(n => n.OpType == "Conv"), convs.Count);
        Assert.Equal(convs.Count, result.QuantizedOperators["Conv"]);
        foreach (OnnxProto.NodeProto conv in convs)
        {
            // Every input (activation, int8 weight, int32 bias) comes from a DequantizeLinear ...
            Assert.All(conv.Input, input => Assert.Equal("DequantizeLinear", producers[input].OpType));
            Assert.Equal((int)OnnxProto.TensorProto.Types.DataType.Int8, Initializer(model, producers[conv.Input[1]].Input[0]).DataType);
            // (the depthwise convolutions of dw_conv ops have no batch norm to fold, hence no bias)
            if (conv.Input.Count > 2) Assert.Equal((int)OnnxProto.TensorProto.Types.DataType.Int32, Initializer(model, producers[conv.Input[2]].Input[0]).DataType);
            // ... and the output goes to one QuantizeLinear only (or through the Relu/Clip ONNX Runtime folds into it).
            OnnxProto.NodeProto next = Assert.Single(readers[conv.Output[0]]);
            if (next.OpType is "Relu" or "Clip") next = Assert.Single(readers[next.Output[0]]);
            Assert.Equal("QuantizeLinear", next.OpType);
        }
        Assert.Equal("embedding", model.Graph.Output.Single().Name);
        Assert.Contains(model.MetadataProps, p => p.Key == QuantizationMetadataKeys.Calibration && p.Value == "24 images of SynthFaces (test)");
        Assert.Contains(model.MetadataProps, p => p.Key == OnnxMetadataKeys.ModelName);

        // Evaluated like any ONNX model, its size read from the graph is its float model's: the int8 weights are the
        // parameters (not the scales), and the conversions cost no FLOPs.
        var floatSize = PocketNet.Onnx.Analysis.OnnxGraphAnalysis.Analyze(fp32);
        var int8Size = PocketNet.Onnx.Analysis.OnnxGraphAnalysis.Analyze(int8);
        Assert.Empty(int8Size.UnknownOperators);
        Assert.Equal(floatSize.Parameters, int8Size.Parameters);
        Assert.Equal(floatSize.Flops, int8Size.Flops);

        // ONNX Runtime fuses the groups into integer kernels when it loads the model.
        var fused = OptimizedOperators(int8);
        output.WriteLine("ONNX Runtime's optimised graph: " + string.Join(", ", fused.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(convs.Count, fused.GetValueOrDefault("QLinearConv"));
        Assert.False(fused.ContainsKey("Conv") || fused.ContainsKey("FusedConv"), "a convolution was left in float");

        // Held-out faces: the int8 embeddings point where the float ones do.
        float[] heldOut = Enumerable.Range(0, 12).SelectMany(i => Face(500 + i, 3)).ToArray();
        using OnnxSession floatSession = OnnxSession.Open(fp32), int8Session = OnnxSession.Open(int8);
        float[] expected = floatSession.Run(heldOut, 12), actual = int8Session.Run(heldOut, 12);
        double[] cosines = Enumerable.Range(0, 12).Select(i => Cosine(expected.AsSpan(i * 128, 128), actual.AsSpan(i * 128, 128))).ToArray();
        output.WriteLine($"cosine int8 vs fp32 on held-out faces: min {cosines.Min():F4}, mean {cosines.Average():F4}");
        Assert.All(cosines, c => Assert.True(c > 0.98, $"cosine {c}"));
    }

    [Fact]
    public void Gemm_and_matmul_get_per_column_int8_weights_and_an_int32_bias()
    {
        // x [N, 4] -> Gemm(W [3, 4], transB, bias [3]) -> Relu -> MatMul(V [3, 2]) -> y [N, 2]
        var random = new Random(3);
        float[] w = Enumerable.Range(0, 12).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] bias = [0.1f, -0.2f, 0.3f];
        float[] v = [1f, -0.01f, 0.5f, 0.02f, -0.25f, 0.005f];
        var graph = new OnnxProto.GraphProto { Name = "dense" };
        graph.Initializer.Add(OnnxTensors.Float("W", w, 3, 4));
        graph.Initializer.Add(OnnxTensors.Float("B", bias, 3));
        graph.Initializer.Add(OnnxTensors.Float("V", v, 3, 2));
        graph.Node.Add(Node("Gemm", ["x", "W", "B"], "h", ("transB", 1)));
        graph.Node.Add(Node("Relu", ["h"], "r"));
        graph.Node.Add(Node("MatMul", ["r", "V"], "y"));
        graph.Input.Add(FloatValue("x", 4));
        graph.Output.Add(FloatValue("y", 2));
        var model = new OnnxProto.ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = "", Version = 17 });
        string fp32 = Path.Combine(_folder.Path, "dense.onnx"), int8 = Path.Combine(_folder.Path, "dense-int8.onnx");
        File.WriteAllBytes(fp32, model.ToByteArray());

        float[][] samples = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray()).ToArray();
        QuantizationResult result = OnnxQuantizer.Quantize(fp32, int8, samples, "uniform noise");
        Assert.Equal(1, result.QuantizedOperators["Gemm"]);
        Assert.Equal(1, result.QuantizedOperators["MatMul"]);

        OnnxProto.ModelProto quantised = Load(int8);
        var dequantize = quantised.Graph.Node.Where(n => n.OpType == "DequantizeLinear").ToDictionary(n => n.Output[0]);
        OnnxProto.NodeProto gemm = quantised.Graph.Node.Single(n => n.OpType == "Gemm"), matmul = quantised.Graph.Node.Single(n => n.OpType == "MatMul");
        // transB: rows of W are the output channels (axis 0); MatMul's V [K, N] has them in columns (axis 1).
        Assert.Equal(0, dequantize[gemm.Input[1]].Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(1, dequantize[matmul.Input[1]].Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal([3L], Initializer(quantised, dequantize[gemm.Input[1]].Input[1]).Dims);
        Assert.Equal([2L], Initializer(quantised, dequantize[matmul.Input[1]].Input[1]).Dims);
        Assert.Equal((int)OnnxProto.TensorProto.Types.DataType.Int32, Initializer(quantised, dequantize[gemm.Input[2]].Input[0]).DataType);
        // The Gemm's bias scale is the input's scale times each row's weight scale.
        float inputScale = OnnxTensors.Floats(Initializer(quantised, dequantize[gemm.Input[0]].Input[1]))[0];
        float[] weightScales = OnnxTensors.Floats(Initializer(quantised, dequantize[gemm.Input[1]].Input[1]));
        float[] biasScales = OnnxTensors.Floats(Initializer(quantised, dequantize[gemm.Input[2]].Input[1]));
        for (int c = 0; c < 3; c++) Assert.Equal(inputScale * weightScales[c], biasScales[c], 1e-9f);
        // The float weights are gone.
        Assert.DoesNotContain(quantised.Graph.Initializer, i => i.Name is "W" or "V" or "B");

        using var floatSession = new InferenceSession(fp32);
        using var int8Session = new InferenceSession(int8);
        float[] x = samples.Take(8).SelectMany(s => s).ToArray();
        float[] expected = Run(floatSession, x), actual = Run(int8Session, x);
        // Error budget: uint8 steps of x, h and y (a quarter to a half of a range / 255 each) dominate int8 weights.
        double tolerance = 0.05 * expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"output {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void Refusals_name_the_file_and_the_problem()
    {
        string missing = Path.Combine(_folder.Path, "missing.onnx");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => OnnxQuantizer.Quantize(missing, missing + "8", [], "x")).Message);

        string garbage = Path.Combine(_folder.Path, "garbage.onnx");
        File.WriteAllBytes(garbage, [0xFF, 0xFF, 0xFF, 0x07, 0x01]);
        var notOnnx = Assert.Throws<InvalidDataException>(() => OnnxQuantizer.Quantize(garbage, garbage + "8", [], "x"));
        Assert.Contains($"'{garbage}' is not an ONNX model", notOnnx.Message);

        ModelConfig config = TestNetworks.EveryPrimitiveConfig;
        string fp32 = Path.Combine(_folder.Path, "m.onnx"), int8 = Path.Combine(_folder.Path, "m-int8.onnx");
        using (Module<Tensor, Tensor> network = TestNetworks.Build(config)) OnnxExporter.Export(network, config, fp32);
        Assert.Contains("would overwrite", Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(fp32, fp32, [Face(0, 0)], "x")).Message);
        Assert.Contains("no calibration images", Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(fp32, int8, [], "x")).Message);
        Assert.Contains("holds 12 floats", Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(fp32, int8, [new float[12]], "x")).Message);
        Assert.False(File.Exists(int8));

        OnnxQuantizer.Quantize(fp32, int8, [Face(0, 0), Face(1, 0)], "x");
        Assert.True(OnnxQuantizer.IsQuantized(int8));
        var twice = Assert.Throws<InvalidDataException>(() => OnnxQuantizer.Quantize(int8, int8 + "8", [Face(0, 0)], "x"));
        Assert.Contains($"'{int8}' is already quantised", twice.Message);
    }

    private static float[] Face(int identity, int image)
    {
        Image face = SynthFaces.RenderSample(seed: 5, identity, image);
        var data = new float[Pixels];
        ModelInput.WriteChw(face.Pixels, face.Width, face.Height, face.Channels, data);
        return data;
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    private static OnnxProto.ModelProto Load(string path) => OnnxProto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    private static OnnxProto.TensorProto Initializer(OnnxProto.ModelProto model, string name) => model.Graph.Initializer.Single(i => i.Name == name);

    // The operators of the graph ONNX Runtime runs after its optimisations (saved by the session it opens).
    private Dictionary<string, int> OptimizedOperators(string path)
    {
        string optimized = Path.Combine(_folder.Path, "optimized-" + Path.GetFileName(path));
        using (var options = new SessionOptions { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(path, options)) { }
        return Load(optimized).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
    }

    private static float[] Run(InferenceSession session, float[] x)
    {
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, [x.Length / 4, 4]);
        using var outputs = session.Run(new RunOptions(), ["x"], [input], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static OnnxProto.NodeProto Node(string op, string[] inputs, string output, (string Name, long Value)? attribute = null)
    {
        var node = new OnnxProto.NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        if (attribute is { } a) node.Attribute.Add(new OnnxProto.AttributeProto { Name = a.Name, Type = OnnxProto.AttributeProto.Types.AttributeType.Int, I = a.Value });
        return node;
    }

    private static OnnxProto.ValueInfoProto FloatValue(string name, long width)
    {
        var shape = new OnnxProto.TensorShapeProto();
        shape.Dim.Add(new OnnxProto.TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new OnnxProto.TensorShapeProto.Types.Dimension { DimValue = width });
        return new OnnxProto.ValueInfoProto
        {
            Name = name,
            Type = new OnnxProto.TypeProto { TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)OnnxProto.TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
