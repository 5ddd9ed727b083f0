using Google.Protobuf;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Quantization;

/// <summary>
/// Static post-training int8 quantisation of a float ONNX model into the QDQ format (QuantizeLinear and
/// DequantizeLinear pairs that ONNX Runtime fuses into integer kernels when it loads the model): weights of every
/// Conv, Gemm and MatMul per output channel in symmetric int8, their biases in int32, activations in uint8 with
/// ranges calibrated by running the float model on sample images (see <see cref="QuantizationPlan"/>,
/// <see cref="QuantizationRules"/> and <see cref="ActivationCalibrator"/>).
/// uint8 activations with int8 weights ("U8S8") because that is the pairing ONNX Runtime's x86 kernels are built
/// on: AVX-VNNI / AVX512-VNNI's VPDPBUSD multiplies unsigned by signed bytes, and an int8 activation would be shifted
/// to uint8 first. Asymmetric activations also spend all 256 levels on one-sided ranges (after ReLU, pools and sums).
/// </summary>
public static class OnnxQuantizer
{
    /// <summary>ONNX opset from which DequantizeLinear takes a per-channel axis.</summary>
    public const int MinimumOpset = 13;

    private static readonly HashSet<string> QuantizedOperators =
        ["QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear"];

    /// <param name="images">Calibration images, one array per image in the model's input layout (3 x 112 x 112 for face models).</param>
    /// <param name="calibration">Where the images came from, recorded in the model's metadata.</param>
    public static QuantizationResult Quantize(string floatModel, string int8Model, IEnumerable<float[]> images, string calibration)
    {
        ArgumentException.ThrowIfNullOrEmpty(floatModel);
        ArgumentException.ThrowIfNullOrEmpty(int8Model);
        ArgumentNullException.ThrowIfNull(images);
        string source = Path.GetFullPath(floatModel), target = Path.GetFullPath(int8Model);
        if (source == target) throw new ArgumentException($"the int8 model would overwrite its float model '{source}': give another output file");
        OnnxProto.ModelProto model = Read(source);
        Check(model, source);

        OnnxProto.ModelProto quantized = model.Clone();
        QuantizationPlan plan = QuantizationPlan.For(quantized.Graph);
        if (plan.Weighted.Count == 0)
            throw new InvalidDataException($"'{source}' has no Conv, Gemm or MatMul with constant weights: there is nothing to quantise");
        var ranges = ActivationCalibrator.Calibrate(model, plan.Calibrated.ToList(), images, $"'{source}'", out int imageCount);
        var operators = plan.Weighted.Select(w => w.Node.OpType).Concat(plan.ActivationNodes.Select(n => n.OpType))
            .GroupBy(o => o, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        QdqRewriter.Rewrite(quantized.Graph, plan, ranges);
        SetMetadata(quantized, QuantizationMetadataKeys.Quantization, QuantizationResult.Scheme);
        SetMetadata(quantized, QuantizationMetadataKeys.Calibration, $"{imageCount} images of {calibration}");
        quantized.DocString = (quantized.DocString.Length > 0 ? quantized.DocString + " " : "") + "Quantised to int8 by PocketNet Portal.";

        Write(quantized, target);
        return new QuantizationResult(operators, plan.Tensors.Count, imageCount, new FileInfo(source).Length, new FileInfo(target).Length);
    }

    /// <summary>True when the model already holds quantisation nodes (an int8 model, or one quantised elsewhere).</summary>
    public static bool IsQuantized(string path) => Read(Path.GetFullPath(path)).Graph.Node.Any(n => QuantizedOperators.Contains(n.OpType));

    private static OnnxProto.ModelProto Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no ONNX model at '{path}'", path);
        try
        {
            using FileStream stream = File.OpenRead(path);
            OnnxProto.ModelProto model = OnnxProto.ModelProto.Parser.ParseFrom(stream);
            return model.Graph is null ? throw new InvalidDataException($"'{path}' is not an ONNX model: it has no graph") : model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
    }

    private static void Check(OnnxProto.ModelProto model, string path)
    {
        if (model.Graph.Node.FirstOrDefault(n => QuantizedOperators.Contains(n.OpType)) is { } node)
            throw new InvalidDataException($"'{path}' is already quantised (it has a {node.OpType} node); quantise its float model instead");
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < MinimumOpset)
            throw new InvalidDataException($"'{path}' uses ONNX opset {opset}; per-channel int8 weights need opset {MinimumOpset} or later (re-export it with --opset {MinimumOpset} or higher)");
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        int inputs = model.Graph.Input.Count(i => !initializers.Contains(i.Name));
        if (inputs != 1) throw new InvalidDataException($"'{path}' has {inputs} inputs; the quantiser calibrates models with one image input");
        if (model.Graph.Initializer.FirstOrDefault(i => i.HasDataLocation && i.DataLocation == OnnxProto.TensorProto.Types.DataLocation.External) is { } external)
            throw new InvalidDataException($"'{path}' keeps initializer '{external.Name}' in an external data file, which the quantiser does not read");
    }

    private static void SetMetadata(OnnxProto.ModelProto model, string key, string value)
    {
        OnnxProto.StringStringEntryProto? entry = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (entry is null) model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = key, Value = value });
        else entry.Value = value;
    }

    // Written next to the target and moved over it, so a failed write never leaves half a model under the final name.
    private static void Write(OnnxProto.ModelProto model, string path)
    {
        string? folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temporary = path + ".partial";
        try
        {
            using (FileStream stream = File.Create(temporary)) model.WriteTo(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
