using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PocketNet.Data.RecordIO;

/// <summary>
/// Writes an MXNet indexed RecordIO pair: records to the .rec file, framed as dmlc-core frames them
/// (including its splitting of records that contain the magic at an aligned position), and one
/// "key\toffset" line per record to the .idx file, as MXIndexedRecordIO writes it. Not thread-safe.
/// </summary>
public sealed class RecordIoWriter : IDisposable
{
    private readonly FileStream _records;
    private readonly StreamWriter _index;
    private readonly HashSet<int> _keys = [];
    private bool _disposed;

    /// <summary>Creates (or overwrites) <paramref name="recordPath"/> and its index (default: same path, extension .idx).</summary>
    public RecordIoWriter(string recordPath, string? indexPath = null)
    {
        RecordPath = Path.GetFullPath(recordPath);
        IndexPath = Path.GetFullPath(indexPath ?? Path.ChangeExtension(recordPath, ".idx"));
        _records = new FileStream(RecordPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        try
        {
            _index = new StreamWriter(IndexPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        }
        catch
        {
            _records.Dispose();
            throw;
        }
    }

    public string RecordPath { get; }
    public string IndexPath { get; }

    /// <summary>Byte offset the next record will start at.</summary>
    public long Position => _records.Position;

    public int Count => _keys.Count;

    /// <summary>Appends a record under <paramref name="key"/> and indexes it; returns its byte offset.</summary>
    public long Write(int key, ReadOnlySpan<byte> record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_keys.Add(key)) throw new ArgumentException($"key {key} was already written to {RecordPath}", nameof(key));
        long offset = _records.Position;
        WriteFramed(record);
        _index.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}\t{offset}"));
        return offset;
    }

    /// <summary>
    /// Overwrites bytes already written (the dataset writer fills in its header record at the end, once the
    /// counts are known). The caller guarantees the framing stays valid: same length, no magic introduced.
    /// </summary>
    internal void Patch(long position, ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long end = _records.Position;
        if (position < 0 || position + bytes.Length > end) throw new ArgumentOutOfRangeException(nameof(position));
        _records.Position = position;
        _records.Write(bytes);
        _records.Position = end;
    }

    public void Flush()
    {
        _records.Flush();
        _index.Flush();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _index.Dispose();
        _records.Dispose();
    }

    private void WriteFramed(ReadOnlySpan<byte> record)
    {
        if (record.Length > RecordIoFormat.MaxPartLength)
            throw new ArgumentException($"a RecordIO record holds less than 2^29 bytes; this one has {record.Length}");
        // As dmlc-core's RecordIOWriter: wherever the magic sits at a 4-aligned position the record is cut,
        // the magic dropped, and the reader puts it back; so no part's data can be mistaken for a header.
        int start = 0;
        int aligned = record.Length & ~3;
        for (int i = 0; i < aligned; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(record[i..]) != RecordIoFormat.Magic) continue;
            WritePart(start == 0 ? RecordIoFormat.FirstPart : RecordIoFormat.MiddlePart, record[start..i]);
            start = i + 4;
        }
        WritePart(start == 0 ? RecordIoFormat.WholeRecord : RecordIoFormat.LastPart, record[start..]);
    }

    private void WritePart(uint flag, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[RecordIoFormat.PartHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, RecordIoFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], RecordIoFormat.EncodeLRecord(flag, data.Length));
        _records.Write(header);
        _records.Write(data);
        int padding = (int)(RecordIoFormat.Padded(data.Length) - data.Length);
        ReadOnlySpan<byte> zeros = [0, 0, 0];
        _records.Write(zeros[..padding]);
    }
}
