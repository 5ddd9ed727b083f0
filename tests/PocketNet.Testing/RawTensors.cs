using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using PocketNet.Torch;

namespace PocketNet.Testing;

/// <summary>
/// Exchanges named tensors with the Python oracles (python/tensor_exchange.py) without any checkpoint
/// format: <c>STEM.bin</c> holds the elements back to back (row-major, little-endian) and <c>STEM.json</c>
/// indexes them: <c>{"tensors": [{"name", "dtype", "shape", "offset", "length"}]}</c> with numpy dtype names.
/// </summary>
public static class RawTensors
{
    public sealed record Entry(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("dtype")] string DType,
        [property: JsonPropertyName("shape")] long[] Shape,
        [property: JsonPropertyName("offset")] long Offset,
        [property: JsonPropertyName("length")] long Length);

    private sealed record Index([property: JsonPropertyName("tensors")] List<Entry> Tensors);

    /// <summary>A tensor read back: its index entry and its raw bytes.</summary>
    public sealed record RawTensor(Entry Entry, byte[] Bytes)
    {
        public long[] Shape => Entry.Shape;

        public float[] ToFloats() => Entry.DType == "float32"
            ? MemoryMarshal.Cast<byte, float>(Bytes).ToArray()
            : throw new InvalidOperationException($"'{Entry.Name}' is {Entry.DType}, not float32");

        public Tensor ToTensor() => Entry.DType switch
        {
            "float32" => Tensors.FromSpan<float>(MemoryMarshal.Cast<byte, float>(Bytes), Shape),
            "float64" => Tensors.FromSpan<double>(MemoryMarshal.Cast<byte, double>(Bytes), Shape),
            "int64" => Tensors.FromSpan<long>(MemoryMarshal.Cast<byte, long>(Bytes), Shape),
            "int32" => Tensors.FromSpan<int>(MemoryMarshal.Cast<byte, int>(Bytes), Shape),
            _ => throw new NotSupportedException($"dtype {Entry.DType} of '{Entry.Name}'"),
        };
    }

    /// <summary>numpy's name for a tensor element type (also what PyTorch prints without "torch.").</summary>
    public static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        _ => throw new NotSupportedException($"no raw exchange for {type}"),
    };

    public static void Write(string folder, string stem, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the exchange format is little-endian");
        var entries = new List<Entry>();
        using (var data = File.Create(Path.Combine(folder, stem + ".bin")))
            foreach (var (name, tensor) in tensors)
            {
                byte[] bytes = Bytes(tensor);
                entries.Add(new Entry(name, DTypeName(tensor.DType), tensor.Shape, data.Position, bytes.Length));
                data.Write(bytes);
            }
        File.WriteAllText(Path.Combine(folder, stem + ".json"), JsonSerializer.Serialize(new Index(entries)));
    }

    public static Dictionary<string, RawTensor> Read(string folder, string stem)
    {
        var index = JsonSerializer.Deserialize<Index>(File.ReadAllText(Path.Combine(folder, stem + ".json")))
                    ?? throw new InvalidDataException($"{stem}.json is empty");
        byte[] blob = File.ReadAllBytes(Path.Combine(folder, stem + ".bin"));
        return index.Tensors.ToDictionary(e => e.Name, e => new RawTensor(e, blob.AsSpan((int)e.Offset, (int)e.Length).ToArray()));
    }

    private static byte[] Bytes(Tensor tensor) => tensor.DType switch
    {
        ScalarType.Float32 => MemoryMarshal.AsBytes<float>(tensor.ToArray<float>()).ToArray(),
        ScalarType.Float64 => MemoryMarshal.AsBytes<double>(tensor.ToArray<double>()).ToArray(),
        ScalarType.Int64 => MemoryMarshal.AsBytes<long>(tensor.ToArray<long>()).ToArray(),
        ScalarType.Int32 => MemoryMarshal.AsBytes<int>(tensor.ToArray<int>()).ToArray(),
        _ => throw new NotSupportedException($"no raw exchange for {tensor.DType}"),
    };
}
