using Google.Protobuf;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Analysis;

/// <summary>One input or output of a graph: its name and shape, -1 for a symbolic (dynamic) dimension.</summary>
public sealed record OnnxTensorInterface(string Name, IReadOnlyList<long> Shape)
{
    public override string ToString() => $"'{Name}' [{string.Join(", ", Shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>What a graph takes and gives, read from the file without running it (so a graph ONNX Runtime refuses can still be described).</summary>
public sealed record OnnxGraphInterface(IReadOnlyList<OnnxTensorInterface> Inputs, IReadOnlyList<OnnxTensorInterface> Outputs)
{
    public static OnnxGraphInterface Read(string path)
    {
        OnnxProto.ModelProto model;
        try
        {
            using FileStream stream = File.OpenRead(path);
            model = OnnxProto.ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        OnnxProto.GraphProto graph = model.Graph ?? throw new InvalidDataException($"'{path}' holds no graph");
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return new OnnxGraphInterface(
            graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToList(),
            graph.Output.Select(Describe).ToList());
    }

    private static OnnxTensorInterface Describe(OnnxProto.ValueInfoProto value) =>
        new(value.Name, (value.Type?.TensorType?.Shape?.Dim ?? []).Select(d => d.HasDimValue ? d.DimValue : -1L).ToList());
}
