using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace PocketNet.Torch.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON describing each tensor (dtype, shape, byte range in the data buffer) plus optional string
/// metadata, then the raw little-endian data. Loading checks the whole layout before reading any data
/// (every byte of the buffer belongs to exactly one tensor), and streams tensor by tensor, so a file
/// of any size needs only one tensor's worth of extra memory.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted; a bigger declared length means a corrupt or foreign file.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    // libtorch's own limit on dimensions; a header asking for more is corrupt.
    private const int MaxDims = 64;

    // ---- writing ---------------------------------------------------------------------------------

    /// <summary>
    /// Writes <paramref name="tensors"/> (from any device; copied to the host) in the given order. The
    /// file is written under a temporary name beside <paramref name="path"/> and renamed over it once
    /// complete, so a crash never leaves a half-written checkpoint under the real name.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        List<KeyValuePair<string, Tensor>> items = tensors.ToList();
        byte[] header = BuildHeader(items, metadata, out long[] sizes);

        // The header is padded with spaces so that the data buffer starts 8-byte aligned.
        int padded = (header.Length + 7) / 8 * 8;
        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
                file.Write(prefix);
                file.Write(header);
                for (int i = header.Length; i < padded; i++) file.WriteByte((byte)' ');

                using var buffer = new NativeBuffer();
                for (int i = 0; i < items.Count; i++)
                {
                    long bytes = buffer.CopyFrom(items[i].Value);
                    if (bytes != sizes[i])
                        throw new InvalidOperationException($"tensor '{items[i].Key}' changed size while it was being saved");
                    buffer.WriteTo(file, bytes);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> items, IReadOnlyDictionary<string, string>? metadata,
        out long[] sizes)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        sizes = new long[items.Count];
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    ArgumentNullException.ThrowIfNull(key, "metadata key");
                    writer.WriteString(key, value ?? throw new ArgumentException($"metadata '{key}' has no value", nameof(metadata)));
                }
                writer.WriteEndObject();
            }

            long offset = 0;
            for (int i = 0; i < items.Count; i++)
            {
                var (name, tensor) = items[i];
                if (string.IsNullOrEmpty(name)) throw new ArgumentException("a tensor has an empty name", nameof(items));
                if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor");
                if (!names.Add(name)) throw new ArgumentException($"two tensors are named '{name}'");
                ArgumentNullException.ThrowIfNull(tensor, name);

                ScalarType type = tensor.DType;
                string code;
                try { code = SafeTensorsDType.ToCode(type); }
                catch (NotSupportedException e) { throw new ArgumentException($"tensor '{name}': {e.Message}", e); }
                sizes[i] = checked(tensor.NumEl * type.ElementSize());

                writer.WriteStartObject(name);
                writer.WriteString("dtype", code);
                writer.WriteStartArray("shape");
                foreach (long d in tensor.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + sizes[i]);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += sizes[i];
            }
            writer.WriteEndObject();
        }
        return json.WrittenSpan.ToArray();
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // ---- reading ---------------------------------------------------------------------------------

    /// <summary>
    /// Reads every tensor of the file onto <paramref name="device"/> (the CPU by default), in header order.
    /// Throws <see cref="CheckpointFormatException"/>, naming the file, for anything malformed.
    /// </summary>
    public static TensorDictionary Load(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        Device target = device ?? Device.Cpu;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        long fileLength = file.Length;
        if (fileLength < 8)
            throw Fail(path, $"the file is {fileLength} bytes long, too short to hold the 8-byte header length of a safetensors file");

        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw Fail(path, $"the header length {headerLength} is absurd (the limit is {MaxHeaderBytes} bytes): not a safetensors file, or a corrupt one");
        if ((long)headerLength > fileLength - 8)
            throw Fail(path, $"the header length {headerLength} runs past the end of the file ({fileLength - 8} bytes follow the length)");

        byte[] header = new byte[headerLength];
        file.ReadExactly(header);
        (List<Entry> entries, Dictionary<string, string> metadata) = ParseHeader(path, header);

        long dataStart = 8 + (long)headerLength;
        CheckLayout(path, entries, fileLength - dataStart);

        var result = new TensorDictionary(metadata);
        try
        {
            using var buffer = new NativeBuffer();
            foreach (Entry entry in entries)
            {
                file.Position = dataStart + entry.Begin;
                if (!buffer.TryFill(file, entry.Bytes))
                    throw Fail(path, $"the data of tensor '{entry.Name}' is truncated: the file ended while reading it");
                result.Add(entry.Name, buffer.ToTensor(entry.Type, entry.Shape, target));
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>One tensor's description from the header.</summary>
    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End)
    {
        public long Bytes => End - Begin;
    }

    private static (List<Entry>, Dictionary<string, string>) ParseHeader(string path, byte[] header)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Fail(path, $"the header is not valid JSON ({e.Message})", e);
        }
        catch (ArgumentException e) // invalid UTF-8 surfaces here
        {
            throw Fail(path, $"the header is not valid UTF-8 JSON ({e.Message})", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Fail(path, $"the header is a JSON {root.ValueKind}, not an object of tensors");

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Fail(path, $"the header lists '{property.Name}' twice");
                if (property.Name == MetadataKey)
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(ReadEntry(path, property.Name, property.Value));
            }
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"'{MetadataKey}' is a JSON {value.ValueKind}, not an object of strings");
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Fail(path, $"metadata '{item.Name}' is a JSON {item.Value.ValueKind}, not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Fail(path, $"metadata '{item.Name}' is given twice");
        }
    }

    private static Entry ReadEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"tensor '{name}' is described by a JSON {value.ValueKind}, not an object");

        if (!value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String)
            throw Fail(path, $"tensor '{name}' has no \"dtype\" string");
        string code = dtype.GetString()!;
        if (!SafeTensorsDType.TryParse(code, out ScalarType type))
            throw Fail(path, $"tensor '{name}' has dtype '{code}', which is unknown or unsupported (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");

        if (!value.TryGetProperty("shape", out JsonElement shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw Fail(path, $"tensor '{name}' has no \"shape\" array");
        if (shapeJson.GetArrayLength() > MaxDims)
            throw Fail(path, $"tensor '{name}' has {shapeJson.GetArrayLength()} dimensions (at most {MaxDims} are supported)");
        var shape = new long[shapeJson.GetArrayLength()];
        int d = 0;
        foreach (JsonElement size in shapeJson.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out long n) || n < 0)
                throw Fail(path, $"tensor '{name}' has a shape entry {size.GetRawText()} that is not a non-negative integer");
            shape[d++] = n;
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array ||
            offsets.GetArrayLength() != 2)
            throw Fail(path, $"tensor '{name}' has no \"data_offsets\" array of two integers");
        long begin = ReadOffset(path, name, offsets[0]), end = ReadOffset(path, name, offsets[1]);
        if (end < begin)
            throw Fail(path, $"tensor '{name}' has data_offsets [{begin}, {end}], which end before they begin");

        long bytes;
        try
        {
            long count = 1;
            foreach (long n in shape) count = checked(count * n);
            bytes = checked(count * type.ElementSize());
        }
        catch (OverflowException)
        {
            throw Fail(path, $"tensor '{name}' has shape [{string.Join(", ", shape)}], too large to address");
        }
        if (end - begin != bytes)
            throw Fail(path, $"tensor '{name}' has data_offsets [{begin}, {end}] ({end - begin} bytes) but shape " +
                             $"[{string.Join(", ", shape)}] of {code} needs {bytes} bytes");
        return new Entry(name, type, shape, begin, end);
    }

    private static long ReadOffset(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long offset) || offset < 0)
            throw Fail(path, $"tensor '{name}' has a data offset {value.GetRawText()} that is not a non-negative integer");
        return offset;
    }

    /// <summary>
    /// The tensors must tile the data buffer exactly, as the format requires: no overlaps (two tensors
    /// sharing bytes), no holes (room for hidden content), nothing past the end (a truncated file).
    /// </summary>
    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        Entry? previous = null;
        long expected = 0;
        foreach (Entry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.End > dataLength)
                throw Fail(path, $"tensor '{entry.Name}' ends at byte {entry.End} of the data buffer but the file holds only " +
                                 $"{dataLength} data bytes: the file is truncated or its offsets are out of range");
            if (entry.Begin < expected)
                throw Fail(path, $"tensor '{entry.Name}' (bytes {entry.Begin}..{entry.End}) overlaps tensor '{previous!.Name}' " +
                                 $"(bytes {previous.Begin}..{previous.End})");
            if (entry.Begin > expected)
                throw Fail(path, $"bytes {expected}..{entry.Begin} of the data buffer, before tensor '{entry.Name}', belong to no tensor");
            expected = entry.End;
            previous = entry;
        }
        if (expected != dataLength)
            throw Fail(path, $"the data buffer holds {dataLength} bytes but the tensors cover only {expected}: " +
                             $"{dataLength - expected} trailing bytes belong to no tensor");
    }

    private static CheckpointFormatException Fail(string path, string problem, Exception? inner = null) =>
        new(path, problem, inner);
}
