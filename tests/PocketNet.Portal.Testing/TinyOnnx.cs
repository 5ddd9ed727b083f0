using System.Text;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Onnx.Export;
using PocketNet.Torch;

namespace PocketNet.Portal.Testing;

/// <summary>
/// ONNX files for upload tests: a real face model (a tiny PocketNet-genotype network exported by our exporter) and
/// hand-made graphs with the wrong interface. The ONNX messages are internal to PocketNet.Onnx, so the crafted
/// graphs are written with a few lines of protobuf encoding of our own.
/// </summary>
public static class TinyOnnx
{
    /// <summary>The network behind <see cref="FaceModel"/>: width 4, 4 cells, embedding 32.</summary>
    public static ModelConfig FaceModelConfig { get; } = ModelRegistry.ForGenotype(Genotype.PocketNet, channels: 4, cells: 4, embeddingSize: 32, name: "tiny external");

    private static readonly Lazy<byte[]> Exported = new(Export, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>An untrained tiny face model, [N, 3, 112, 112] in and [N, 32] out (a few hundred KiB).</summary>
    public static byte[] FaceModel => Exported.Value;

    /// <summary>A valid ONNX graph (GlobalAveragePool, Flatten) with the given input and output shapes; null is a symbolic batch.</summary>
    public static byte[] Crafted(long?[] inputShape, long?[] outputShape) => Crafted(inputShape, outputShape, _ => { });

    private static byte[] Crafted(long?[] inputShape, long?[] outputShape, Action<ProtoWriter> more)
    {
        var graph = new ProtoWriter();
        bool flatten = outputShape.Length == 2;
        graph.Message(1, Node("GlobalAveragePool", "input", flatten ? "pooled" : "embedding"));
        if (flatten) graph.Message(1, Node("Flatten", "pooled", "embedding"));
        graph.String(2, "crafted");
        graph.Message(11, ValueInfo("input", inputShape));
        graph.Message(12, ValueInfo("embedding", outputShape));
        more(graph);

        var opset = new ProtoWriter();
        opset.String(1, "");
        opset.Varint(2, 17);

        var model = new ProtoWriter();
        model.Varint(1, 8); // IR version 8
        model.String(2, "PocketNet.Portal.Testing");
        model.Message(7, graph);
        model.Message(8, opset);
        return model.ToArray();
    }

    /// <summary>A crafted face-shaped graph that also declares a float initializer of <paramref name="dims"/> (and holds no data for it).</summary>
    public static byte[] WithInitializer(string name, params long[] dims)
    {
        var tensor = new ProtoWriter();
        foreach (long d in dims) tensor.Varint(1, unchecked((ulong)d));
        tensor.Varint(2, 1); // float
        tensor.String(8, name);
        return Crafted([null, 3, 112, 112], [null, 3], graph => graph.Message(5, tensor));
    }

    private static byte[] Export()
    {
        Engine.ManualSeed(11);
        using var network = ModelRegistry.Create(FaceModelConfig);
        network.Eval();
        using var stream = new MemoryStream();
        OnnxExporter.Export(network, FaceModelConfig, stream);
        return stream.ToArray();
    }

    private static ProtoWriter Node(string op, string input, string output)
    {
        var node = new ProtoWriter();
        node.String(1, input);
        node.String(2, output);
        node.String(3, op.ToLowerInvariant());
        node.String(4, op);
        return node;
    }

    private static ProtoWriter ValueInfo(string name, long?[] shape)
    {
        var dims = new ProtoWriter();
        foreach (long? d in shape)
        {
            var dim = new ProtoWriter();
            if (d is { } value) dim.Varint(1, (ulong)value);
            else dim.String(2, "N");
            dims.Message(1, dim);
        }
        var tensor = new ProtoWriter();
        tensor.Varint(1, 1); // float
        tensor.Message(2, dims);
        var type = new ProtoWriter();
        type.Message(1, tensor);
        var info = new ProtoWriter();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }

    /// <summary>Protobuf's wire format: varints (wire type 0) and length-delimited fields (wire type 2).</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _bytes = new();

        public void Varint(int field, ulong value)
        {
            WriteVarint((ulong)(field << 3));
            WriteVarint(value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void Bytes(int field, byte[] value)
        {
            WriteVarint((ulong)((field << 3) | 2));
            WriteVarint((ulong)value.Length);
            _bytes.Write(value);
        }

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
