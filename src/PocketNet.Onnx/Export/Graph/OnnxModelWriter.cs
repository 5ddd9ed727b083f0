using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxProto = global::Onnx;

namespace PocketNet.Onnx.Export.Graph;

/// <summary>Turns an <see cref="OnnxGraph"/> into an ONNX ModelProto with every initializer inline (raw little-endian data).</summary>
internal static class OnnxModelWriter
{
    /// <summary>ONNX IR version that goes with each opset the exporter may write (onnx/docs/Versioning.md).</summary>
    public static long IrVersionFor(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    /// <param name="dimensions">Input and output dimensions: a number, or null for the symbolic batch dimension.</param>
    public static OnnxProto.ModelProto Write(OnnxGraph graph, string graphName, int opset, string batchDimension,
        long?[] inputDimensions, long?[] outputDimensions, string outputName, string producerVersion, string docString,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this host is not");
        var proto = new OnnxProto.GraphProto { Name = graphName };
        foreach (GraphNode node in graph.Nodes)
        {
            var nodeProto = new OnnxProto.NodeProto { OpType = node.OpType, Name = node.Name };
            nodeProto.Input.AddRange(node.Inputs);
            nodeProto.Output.AddRange(node.Outputs);
            foreach (var (name, value) in node.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
                nodeProto.Attribute.Add(Attribute(name, value));
            proto.Node.Add(nodeProto);
        }
        // Only constants some node reads (folding leaves the replaced ones behind), in a stable order.
        var read = graph.Nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, tensor) in graph.Initializers.Where(i => read.Contains(i.Key)).OrderBy(i => i.Key, StringComparer.Ordinal))
            proto.Initializer.Add(Tensor(name, tensor));
        proto.Input.Add(FloatValue(graph.InputName, inputDimensions, batchDimension));
        proto.Output.Add(FloatValue(outputName, outputDimensions, batchDimension));

        var model = new OnnxProto.ModelProto
        {
            IrVersion = IrVersionFor(opset),
            ProducerName = OnnxExporter.Producer,
            ProducerVersion = producerVersion,
            Domain = "org.pocketnet",
            ModelVersion = 1,
            DocString = docString,
            Graph = proto,
        };
        model.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new OnnxProto.StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static OnnxProto.AttributeProto Attribute(string name, AttributeValue value)
    {
        var attribute = new OnnxProto.AttributeProto { Name = name };
        if (value.Int is { } i) (attribute.Type, attribute.I) = (OnnxProto.AttributeProto.Types.AttributeType.Int, i);
        else if (value.Float is { } f) (attribute.Type, attribute.F) = (OnnxProto.AttributeProto.Types.AttributeType.Float, f);
        else if (value.String is { } s) (attribute.Type, attribute.S) = (OnnxProto.AttributeProto.Types.AttributeType.String, ByteString.CopyFromUtf8(s));
        else if (value.Ints is { } ints)
        {
            attribute.Type = OnnxProto.AttributeProto.Types.AttributeType.Ints;
            attribute.Ints.AddRange(ints);
        }
        else throw new ArgumentException($"attribute '{name}' has no value");
        return attribute;
    }

    private static OnnxProto.TensorProto Tensor(string name, ConstantTensor tensor)
    {
        var proto = new OnnxProto.TensorProto { Name = name };
        proto.Dims.AddRange(tensor.Dims);
        if (tensor.Floats is { } floats)
        {
            proto.DataType = (int)OnnxProto.TensorProto.Types.DataType.Float;
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(floats.AsSpan()));
        }
        else
        {
            proto.DataType = (int)OnnxProto.TensorProto.Types.DataType.Int64;
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.Longs!.AsSpan()));
        }
        return proto;
    }

    private static OnnxProto.ValueInfoProto FloatValue(string name, long?[] dimensions, string batchDimension)
    {
        var shape = new OnnxProto.TensorShapeProto();
        foreach (long? dimension in dimensions)
            shape.Dim.Add(dimension is { } size
                ? new OnnxProto.TensorShapeProto.Types.Dimension { DimValue = size }
                : new OnnxProto.TensorShapeProto.Types.Dimension { DimParam = batchDimension });
        return new OnnxProto.ValueInfoProto
        {
            Name = name,
            Type = new OnnxProto.TypeProto
            {
                TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)OnnxProto.TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
