using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PocketNet.Torch.Serialization;
using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Serialization;

public class SafeTensorsTests
{
    private static readonly Dictionary<string, string> Metadata = new() { ["format"] = "pt", ["epoch"] = "12", ["note"] = "héllo 中" };

    /// <summary>Tensors of every kind the format must carry unchanged, in a deliberate (non-alphabetical) order.</summary>
    private static List<KeyValuePair<string, Tensor>> SampleTensors() =>
    [
        new("weight", Tensors.FromArray(TestData.Floats(6, 1), 2, 3)),
        new("doubles", Tensors.FromArray(new[] { Math.PI, -1e-300, 1e300, 0.1 })),
        new("ids", Tensors.FromArray(new[] { long.MinValue, long.MaxValue, 0L, -7L }, 2, 2)),
        new("mask", Tensors.FromArray(new[] { true, false, false, true, true })),
        new("pixels", Tensors.FromArray(new byte[] { 0, 1, 128, 255 }, 1, 2, 2)),
        new("scalar", Tensors.Scalar(2.5)),
        new("scalar_long", Tensors.Scalar(-9, ScalarType.Int64)),
        new("empty", Tensors.Zeros([0, 5])),
        new("empty_bool", Tensors.Zeros([3, 0], ScalarType.Bool)),
        new("int32", Tensors.FromArray(new[] { int.MinValue, int.MaxValue, 3 })),
        new("int16", Tensors.FromArray(new short[] { short.MinValue, short.MaxValue })),
        new("int8", Tensors.FromArray(new sbyte[] { -128, 127, 0 })),
        new("half", Tensors.FromArray(new[] { 1.5f, -2f, 65504f }).To(ScalarType.Float16)),
        new("bfloat16", Tensors.FromArray(new[] { 1.5f, -3f, 256f }).To(ScalarType.BFloat16)),
        new("transposed", Tensors.FromArray(TestData.Floats(12, 2), 3, 4).Transpose(0, 1)),
    ];

    [Fact]
    public void RoundTripKeepsValuesShapesTypesOrderAndMetadata()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("round.safetensors");
        List<KeyValuePair<string, Tensor>> saved = SampleTensors();
        SafeTensors.Save(path, saved, Metadata);

        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal(saved.Select(kv => kv.Key), loaded.Keys);
        Assert.Equal(Metadata.OrderBy(kv => kv.Key), loaded.Metadata.OrderBy(kv => kv.Key));
        foreach (var (name, expected) in saved) AssertSame(expected, loaded[name], name);
        // The dictionary owns its tensors: they are not in the caller's scope.
        Assert.All(loaded.Values, t => Assert.Null(t.Scope));
    }

    [Fact]
    public void WrittenFileFollowsThePublishedLayout()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("ours.safetensors");
        List<KeyValuePair<string, Tensor>> saved = SampleTensors();
        SafeTensors.Save(path, saved, Metadata);

        // Read back by a hand-written Python parser that checks alignment, tiling and sizes.
        using JsonDocument read = JsonDocument.Parse(PythonRunner.Run("read_safetensors.py", path));
        JsonElement root = read.RootElement;
        Assert.Equal(saved.Select(kv => kv.Key), root.GetProperty("order").EnumerateArray().Select(e => e.GetString()));
        foreach (var (key, value) in Metadata) Assert.Equal(value, root.GetProperty("metadata").GetProperty(key).GetString());
        foreach (var (name, tensor) in saved)
            AssertMatchesJson(tensor, root.GetProperty("tensors").GetProperty(name), name);
    }

    [Fact]
    public void ReadsAFileWrittenByHandInPython()
    {
        string path = PythonFiles.HandWrittenSafeTensors;
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(path + ".json"));
        using TensorDictionary loaded = SafeTensors.Load(path);

        JsonElement tensors = reference.RootElement.GetProperty("tensors");
        // Header order is kept (the script lists tensors in reverse data order).
        Assert.Equal(tensors.EnumerateObject().Select(p => p.Name).Reverse(), loaded.Keys);
        foreach (JsonProperty entry in tensors.EnumerateObject())
            AssertMatchesJson(loaded[entry.Name], entry.Value, entry.Name);
        foreach (JsonProperty item in reference.RootElement.GetProperty("metadata").EnumerateObject())
            Assert.Equal(item.Value.GetString(), loaded.Metadata[item.Name]);
    }

    [Fact]
    public void LoadsOntoTheRequestedDevice()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("device.safetensors");
        Tensor weight = Tensors.FromArray(TestData.Floats(8, 3), 2, 4).To(Device.Default);
        SafeTensors.Save(path, [new("w", weight)]);

        using TensorDictionary loaded = SafeTensors.Load(path, Device.Default);
        Assert.Equal(Device.Default, loaded["w"].Device);
        Assert.Equal(weight.ToArray<float>(), loaded["w"].ToArray<float>());
    }

    [Fact]
    public void SaveReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        SafeTensors.Save(path, [new("a", Tensors.Ones([3]))]);
        SafeTensors.Save(path, [new("b", Tensors.Full([2], 7))]);

        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal(new[] { "b" }, loaded.Keys);
        Assert.Equal(new float[] { 7, 7 }, loaded["b"].ToArray<float>());
    }

    [Fact]
    public void FailedSaveKeepsThePreviousFile()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        SafeTensors.Save(path, [new("a", Tensors.Ones([3]))]);
        byte[] before = File.ReadAllBytes(path);

        Tensor disposed = Tensors.Ones([2]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SafeTensors.Save(path, [new("ok", Tensors.Ones([1])), new("gone", disposed)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new("x", Tensors.Ones([1])), new("x", Tensors.Ones([1]))]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void TakeHandsATensorToTheCaller()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("take.safetensors");
        SafeTensors.Save(path, [new("a", Tensors.Ones([2])), new("b", Tensors.Zeros([2]))]);

        Tensor taken;
        using (TensorDictionary loaded = SafeTensors.Load(path)) taken = loaded.Take("a");
        using (taken)
        {
            Assert.False(taken.IsDisposed);
            Assert.Equal(new float[] { 1, 1 }, taken.ToArray<float>());
        }
    }

    // ---- malformed files -------------------------------------------------------------------------

    [Fact]
    public void FileShorterThanTheLengthPrefixIsRejected()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        AssertRejected(path, "too short");
    }

    [Theory]
    [InlineData(200_000_000UL, "absurd")]
    [InlineData(ulong.MaxValue, "absurd")]
    [InlineData(64UL, "past the end of the file")]
    public void HeaderLengthBeyondTheFileIsRejected(ulong declared, string expected)
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("length.safetensors");
        WriteRaw(path, "{}      ", [], declared);
        AssertRejected(path, expected);
    }

    [Theory]
    [InlineData("{\"a\": {\"dtype\": \"F32\", ", 0, "not valid JSON")]
    [InlineData("[1, 2]", 0, "not an object")]
    [InlineData("{\"a\": {\"dtype\": \"F8_E4M3\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1, "dtype 'F8_E4M3'")]
    [InlineData("{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "no \"dtype\"")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4, "shape entry -1")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0]}}", 8, "data_offsets")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, "needs 12 bytes")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", 8, "end before they begin")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8, "truncated")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, " +
                "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, "overlaps")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "belong to no tensor")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 12, "trailing bytes")]
    [InlineData("{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}, " +
                "\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 2]}}", 2, "twice")]
    [InlineData("{\"__metadata__\": {\"epoch\": 3}}", 0, "not a string")]
    [InlineData("{\"a\": {\"dtype\": \"U8\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 1]}}", 1, "too large")]
    public void MalformedHeaderIsRejectedNamingTheFile(string header, int dataBytes, string expected)
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("bad.safetensors");
        WriteRaw(path, header, new byte[dataBytes]);
        AssertRejected(path, expected);
    }

    [Fact]
    public void TruncatedDataIsRejected()
    {
        using var scope = DisposeScope.Enter();
        using var dir = new ScratchDirectory();
        string path = dir.File("cut.safetensors");
        SafeTensors.Save(path, [new("a", Tensors.Ones([4, 4])), new("b", Tensors.Ones([16]))]);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..^5]);
        AssertRejected(path, "truncated");
    }

    [Fact]
    public void MissingFileIsAnIoError() =>
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.safetensors")));

    // ---- helpers ---------------------------------------------------------------------------------

    private static void WriteRaw(string path, string header, byte[] data, ulong? declaredLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(path, bytes);
    }

    private static void AssertRejected(string path, string expected)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FilePath);
        Assert.Contains(expected, error.Message);
    }

    internal static void AssertSame(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.DType == actual.DType, $"{name}: dtype {actual.DType}, expected {expected.DType}");
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{name}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expected.Shape)}]");
        Assert.Equal(RawBytes(expected), RawBytes(actual));
    }

    /// <summary>A tensor's elements as bytes (so every dtype, NaN payloads and -0 included, compares exactly).</summary>
    private static byte[] RawBytes(Tensor t) => t.DType switch
    {
        ScalarType.Float16 => MemoryMarshalBytes(t.ToArray<Half>()),
        ScalarType.BFloat16 => MemoryMarshalBytes(t.To(ScalarType.Float32).ToArray<float>()), // widening is exact
        ScalarType.Int16 => MemoryMarshalBytes(t.ToArray<short>()),
        ScalarType.Float32 => MemoryMarshalBytes(t.ToArray<float>()),
        ScalarType.Float64 => MemoryMarshalBytes(t.ToArray<double>()),
        ScalarType.Int64 => MemoryMarshalBytes(t.ToArray<long>()),
        ScalarType.Int32 => MemoryMarshalBytes(t.ToArray<int>()),
        ScalarType.Int8 => MemoryMarshalBytes(t.ToArray<sbyte>()),
        ScalarType.UInt8 => t.ToArray<byte>(),
        ScalarType.Bool => MemoryMarshalBytes(t.ToArray<bool>()),
        _ => throw new NotSupportedException(t.DType.ToString()),
    };

    private static byte[] MemoryMarshalBytes<T>(T[] values) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Compares a tensor with {"dtype", "shape", "values"} (dtype as a safetensors code or a torch name).</summary>
    internal static void AssertMatchesJson(Tensor actual, JsonElement expected, string name)
    {
        string dtype = expected.GetProperty("dtype").GetString()!;
        Assert.True(ParseDType(dtype) == actual.DType, $"{name}: dtype {actual.DType}, expected {dtype}");
        long[] shape = expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.True(shape.SequenceEqual(actual.Shape),
            $"{name}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", shape)}]");

        JsonElement[] values = expected.GetProperty("values").EnumerateArray().ToArray();
        switch (actual.DType)
        {
            case ScalarType.Bool:
                Assert.Equal(values.Select(v => v.GetBoolean()), actual.ToArray<bool>());
                break;
            case ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.UInt8:
                Assert.Equal(values.Select(v => v.GetInt64()), actual.To(ScalarType.Int64).ToArray<long>());
                break;
            case ScalarType.Float64:
                Assert.Equal(values.Select(v => v.GetDouble()), actual.ToArray<double>());
                break;
            default: // float32, and float16 / bfloat16 widened to float32 (exactly) on both sides
                Assert.Equal(values.Select(v => (float)v.GetDouble()), actual.To(ScalarType.Float32).ToArray<float>());
                break;
        }
    }

    private static ScalarType ParseDType(string name) => name switch
    {
        "F64" or "float64" => ScalarType.Float64,
        "F32" or "float32" => ScalarType.Float32,
        "F16" or "float16" => ScalarType.Float16,
        "BF16" or "bfloat16" => ScalarType.BFloat16,
        "I64" or "int64" => ScalarType.Int64,
        "I32" or "int32" => ScalarType.Int32,
        "I16" or "int16" => ScalarType.Int16,
        "I8" or "int8" => ScalarType.Int8,
        "U8" or "uint8" => ScalarType.UInt8,
        "BOOL" or "bool" => ScalarType.Bool,
        _ => throw new ArgumentException($"unknown dtype name {name}"),
    };
}
