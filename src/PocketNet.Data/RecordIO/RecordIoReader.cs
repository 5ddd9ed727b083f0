using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace PocketNet.Data.RecordIO;

/// <summary>
/// Reads an MXNet indexed RecordIO pair: the .rec data file and its .idx text index ("key\toffset" lines).
/// Random access by key uses positional reads on one shared handle, so concurrent reads from many threads
/// are safe and need no locking. Every framing problem (bad magic, a part running past the end of the file,
/// a broken continuation) is an <see cref="InvalidDataException"/> naming the file, the key and the byte offset.
/// </summary>
public sealed class RecordIoReader : IDisposable
{
    private static readonly byte[] MagicBytes = [0x0a, 0x23, 0xd7, 0xce]; // RecordIoFormat.Magic, little-endian

    private readonly SafeFileHandle _file;
    private readonly Dictionary<int, long> _offsets;
    private readonly int[] _keys;

    /// <summary>
    /// Opens <paramref name="recordPath"/> with the index <paramref name="indexPath"/> (default: the same
    /// path with extension .idx). A missing file is a <see cref="FileNotFoundException"/> naming it.
    /// </summary>
    public RecordIoReader(string recordPath, string? indexPath = null)
    {
        RecordPath = Path.GetFullPath(recordPath);
        IndexPath = Path.GetFullPath(indexPath ?? Path.ChangeExtension(recordPath, ".idx"));
        if (!File.Exists(RecordPath)) throw new FileNotFoundException($"RecordIO file {RecordPath} does not exist", RecordPath);
        if (!File.Exists(IndexPath))
            throw new FileNotFoundException($"RecordIO index {IndexPath} (for {RecordPath}) does not exist", IndexPath);

        _file = File.OpenHandle(RecordPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            FileLength = RandomAccess.GetLength(_file);
            (_keys, _offsets) = ReadIndex(IndexPath, FileLength);
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public string RecordPath { get; }
    public string IndexPath { get; }
    public long FileLength { get; }

    /// <summary>Keys in the order the index lists them.</summary>
    public IReadOnlyList<int> Keys => _keys;

    public int Count => _keys.Length;

    public bool ContainsKey(int key) => _offsets.ContainsKey(key);

    /// <summary>Byte offset of <paramref name="key"/>'s record in the .rec file.</summary>
    public long GetOffset(int key) => _offsets.TryGetValue(key, out long offset)
        ? offset
        : throw new KeyNotFoundException($"{IndexPath} has no record with key {key}");

    /// <summary>Text naming a record in messages: "file record KEY (byte offset N)".</summary>
    public string Describe(int key) =>
        _offsets.TryGetValue(key, out long offset) ? $"{RecordPath} record {key} (byte offset {offset})" : $"{RecordPath} record {key}";

    /// <summary>The record's bytes in a new array.</summary>
    public byte[] ReadRecord(int key)
    {
        using RentedRecord record = RentRecord(key);
        return record.Span.ToArray();
    }

    /// <summary>The record's bytes in a pooled buffer (dispose the result). Thread-safe.</summary>
    public RentedRecord RentRecord(int key)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        long offset = GetOffset(key);
        var (flag, length) = ReadPartHeader(offset, key);
        if (flag == RecordIoFormat.WholeRecord)
        {
            CheckInsideFile(offset, length, key);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                ReadExactly(offset + RecordIoFormat.PartHeaderSize, buffer.AsSpan(0, length), key, offset);
                return new RentedRecord(buffer, length);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
        if (flag != RecordIoFormat.FirstPart)
            throw Corrupt(key, offset, $"starts with continuation flag {flag} (expected 0, a whole record, or 1, a first part)");
        byte[] whole = ReadMultiPart(offset, key);
        byte[] rented = ArrayPool<byte>.Shared.Rent(whole.Length);
        whole.CopyTo(rented, 0);
        return new RentedRecord(rented, whole.Length);
    }

    /// <summary>
    /// Copies the first bytes of a record (up to <paramref name="destination"/>'s length) and returns the
    /// record's full length, checking that the whole record lies inside the file. Reads only what it copies
    /// for an unsplit record: this is how the training set scans millions of labels quickly.
    /// </summary>
    public int ReadPrefix(int key, Span<byte> destination, out int copied)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        long offset = GetOffset(key);
        var (flag, length) = ReadPartHeader(offset, key);
        if (flag == RecordIoFormat.WholeRecord)
        {
            CheckInsideFile(offset, length, key);
            copied = Math.Min(length, destination.Length);
            ReadExactly(offset + RecordIoFormat.PartHeaderSize, destination[..copied], key, offset);
            return length;
        }
        if (flag != RecordIoFormat.FirstPart)
            throw Corrupt(key, offset, $"starts with continuation flag {flag} (expected 0, a whole record, or 1, a first part)");
        byte[] whole = ReadMultiPart(offset, key);
        copied = Math.Min(whole.Length, destination.Length);
        whole.AsSpan(0, copied).CopyTo(destination);
        return whole.Length;
    }

    /// <summary>
    /// Streams every record of <paramref name="recordPath"/> in file order without an index (as MXNet's
    /// sequential MXRecordIO reader does), reassembling split records.
    /// </summary>
    public static IEnumerable<RecordIoRecord> ReadSequential(string recordPath)
    {
        string path = Path.GetFullPath(recordPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"RecordIO file {path} does not exist", path);
        return Stream(path);

        static IEnumerable<RecordIoRecord> Stream(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            long length = stream.Length, position = 0, ordinal = 0;
            var header = new byte[RecordIoFormat.PartHeaderSize];
            while (position < length)
            {
                long recordOffset = position;
                var data = new MemoryStream();
                bool first = true;
                while (true)
                {
                    string where = $"{path}: record #{ordinal} (byte offset {recordOffset})";
                    if (length - position < RecordIoFormat.PartHeaderSize)
                        throw new InvalidDataException($"{where}: the file ends {length - position} bytes into a part header at byte offset {position} (truncated)");
                    stream.ReadExactly(header);
                    uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
                    if (magic != RecordIoFormat.Magic)
                        throw new InvalidDataException($"{where}: bad magic 0x{magic:x8} at byte offset {position}, expected 0x{RecordIoFormat.Magic:x8}");
                    var (flag, partLength) = RecordIoFormat.DecodeLRecord(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)));
                    bool expected = first ? flag is RecordIoFormat.WholeRecord or RecordIoFormat.FirstPart
                                          : flag is RecordIoFormat.MiddlePart or RecordIoFormat.LastPart;
                    if (!expected)
                        throw new InvalidDataException($"{where}: unexpected continuation flag {flag} at byte offset {position}");
                    long dataStart = position + RecordIoFormat.PartHeaderSize;
                    if (dataStart + partLength > length)
                        throw new InvalidDataException($"{where}: part at byte offset {position} declares {partLength} bytes but the file ends after {length - dataStart} (truncated)");
                    var buffer = new byte[partLength];
                    stream.ReadExactly(buffer);
                    data.Write(buffer);
                    // The last record's padding may be missing without losing data.
                    long next = Math.Min(length, position + RecordIoFormat.PartHeaderSize + RecordIoFormat.Padded(partLength));
                    stream.Position = next;
                    position = next;
                    if (flag is RecordIoFormat.WholeRecord or RecordIoFormat.LastPart) break;
                    data.Write(MagicBytes); // the writer dropped it at the split point
                    first = false;
                }
                yield return new RecordIoRecord(ordinal++, recordOffset, data.ToArray());
            }
        }
    }

    public void Dispose() => _file.Dispose();

    private (uint Flag, int Length) ReadPartHeader(long offset, int key)
    {
        if (offset + RecordIoFormat.PartHeaderSize > FileLength)
            throw Corrupt(key, offset, $"the file ends at byte {FileLength}, before the record header (truncated)");
        Span<byte> header = stackalloc byte[RecordIoFormat.PartHeaderSize];
        ReadExactly(offset, header, key, offset);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic != RecordIoFormat.Magic)
            throw Corrupt(key, offset, $"bad magic 0x{magic:x8}, expected 0x{RecordIoFormat.Magic:x8}");
        return RecordIoFormat.DecodeLRecord(BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));
    }

    private void CheckInsideFile(long partOffset, int length, int key)
    {
        long end = partOffset + RecordIoFormat.PartHeaderSize + length;
        if (end > FileLength)
            throw Corrupt(key, partOffset, $"declares {length} bytes but the file ends after {FileLength - partOffset - RecordIoFormat.PartHeaderSize} (truncated)");
    }

    private byte[] ReadMultiPart(long offset, int key)
    {
        var data = new MemoryStream();
        long position = offset;
        bool first = true;
        while (true)
        {
            var (flag, length) = ReadPartHeader(position, key);
            bool expected = first ? flag == RecordIoFormat.FirstPart : flag is RecordIoFormat.MiddlePart or RecordIoFormat.LastPart;
            if (!expected) throw Corrupt(key, position, $"part has continuation flag {flag}, which cannot follow a {(first ? "record start" : "middle part")}");
            CheckInsideFile(position, length, key);
            var part = new byte[length];
            ReadExactly(position + RecordIoFormat.PartHeaderSize, part, key, position);
            data.Write(part);
            if (flag == RecordIoFormat.LastPart) return data.ToArray();
            data.Write(MagicBytes);
            position += RecordIoFormat.PartHeaderSize + RecordIoFormat.Padded(length);
            first = false;
        }
    }

    private void ReadExactly(long fileOffset, Span<byte> destination, int key, long recordOffset)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_file, destination, fileOffset);
            if (read <= 0) throw Corrupt(key, recordOffset, $"the file ends at byte {fileOffset} inside the record (truncated)");
            destination = destination[read..];
            fileOffset += read;
        }
    }

    private InvalidDataException Corrupt(int key, long offset, string problem) =>
        new($"{RecordPath}: record {key} at byte offset {offset}: {problem}");

    private static (int[] Keys, Dictionary<int, long> Offsets) ReadIndex(string indexPath, long fileLength)
    {
        var keys = new List<int>();
        var offsets = new Dictionary<int, long>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(indexPath))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2
                || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int key)
                || !long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long offset))
                throw new InvalidDataException($"{indexPath}: line {lineNumber} is not \"key<TAB>offset\": \"{Truncate(raw)}\"");
            if (offset < 0 || offset + RecordIoFormat.PartHeaderSize > fileLength)
                throw new InvalidDataException($"{indexPath}: line {lineNumber}: key {key} points at byte offset {offset}, outside the {fileLength}-byte record file");
            if (!offsets.TryAdd(key, offset))
                throw new InvalidDataException($"{indexPath}: line {lineNumber}: key {key} is listed twice");
            keys.Add(key);
        }
        return (keys.ToArray(), offsets);
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
