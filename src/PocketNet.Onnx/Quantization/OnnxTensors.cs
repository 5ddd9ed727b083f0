using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxProto = global::Onnx;
using DataType = global::Onnx.TensorProto.Types.DataType;

namespace PocketNet.Onnx.Quantization;

/// <summary>Reads float initializers and writes the quantiser's typed initializers (raw little-endian data, as the exporter writes them).</summary>
internal static class OnnxTensors
{
    public static bool IsFloat(OnnxProto.TensorProto tensor) => tensor.DataType == (int)DataType.Float;

    public static float[] Floats(OnnxProto.TensorProto tensor)
    {
        if (!IsFloat(tensor)) throw new InvalidDataException($"initializer '{tensor.Name}' holds {(DataType)tensor.DataType}, not float");
        if (tensor.HasDataLocation && tensor.DataLocation == OnnxProto.TensorProto.Types.DataLocation.External)
            throw new InvalidDataException($"initializer '{tensor.Name}' keeps its data in an external file, which the quantiser does not read");
        long count = tensor.Dims.Aggregate(1L, (a, b) => a * b);
        float[] values = tensor.FloatData.Count > 0 ? tensor.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        if (values.LongLength != count)
            throw new InvalidDataException($"initializer '{tensor.Name}' of shape [{string.Join(", ", tensor.Dims)}] holds {values.LongLength} floats, not {count}");
        return values;
    }

    public static OnnxProto.TensorProto Float(string name, float[] values, params long[] dims) =>
        Raw(name, DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static OnnxProto.TensorProto Int8(string name, sbyte[] values, params long[] dims) =>
        Raw(name, DataType.Int8, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static OnnxProto.TensorProto UInt8(string name, byte[] values, params long[] dims) =>
        Raw(name, DataType.Uint8, values, dims);

    public static OnnxProto.TensorProto Int32(string name, int[] values, params long[] dims) =>
        Raw(name, DataType.Int32, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    private static OnnxProto.TensorProto Raw(string name, DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        var tensor = new OnnxProto.TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
