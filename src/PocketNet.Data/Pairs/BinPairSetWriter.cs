using System.Buffers.Binary;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.Pairs;

/// <summary>
/// Writes an InsightFace .bin pair set: a pickle of (list of encoded images, list of bools), the structure
/// Python's pickle.dump produces, with the opcodes a Python 3 unpickler loads directly: PROTO, EMPTY_LIST,
/// MARK ... APPENDS in batches of 1000 (as Python batches), SHORT_BINBYTES / BINBYTES for the images,
/// NEWTRUE / NEWFALSE for the labels, TUPLE2, STOP. No memo and no globals. The header declares protocol 3
/// because SHORT_BINBYTES / BINBYTES are protocol-3 opcodes; every Python 3 loads it (Python 2 cannot load
/// bytes opcodes at all). Images are streamed to disk as pairs are added; the labels, one bool each, are kept
/// until <see cref="Complete"/>. The file appears under its name only when complete (written as .tmp, then moved).
/// </summary>
public sealed class BinPairSetWriter : IDisposable
{
    /// <summary>Python's pickler writes list items in APPENDS batches of this size.</summary>
    private const int BatchSize = 1000;
    private const byte Proto = 0x80, EmptyList = (byte)']', Mark = (byte)'(', Appends = (byte)'e', Tuple2 = 0x86, Stop = (byte)'.';
    private const byte ShortBinBytes = (byte)'C', BinBytes = (byte)'B', NewTrue = 0x88, NewFalse = 0x89;

    private readonly string _temporaryPath;
    private readonly FileStream _file;
    private readonly BufferedStream _stream;
    private readonly List<bool> _isSame = [];
    private int _inBatch;
    private bool _completed, _disposed;

    public BinPairSetWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _temporaryPath = Path + ".tmp";
        _file = new FileStream(_temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _stream = new BufferedStream(_file, 1 << 16);
        _stream.Write([Proto, 3, EmptyList]);
    }

    public string Path { get; }

    public int PairCount => _isSame.Count;

    /// <summary>Appends pair <see cref="PairCount"/>: two encoded images (JPEG or PNG bytes) and whether they show one identity.</summary>
    public void AddPair(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, bool isSame)
    {
        if (_completed) throw new InvalidOperationException($"{Path} is already complete");
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckImage(first, "first");
        CheckImage(second, "second");
        AppendBytes(first);
        AppendBytes(second);
        _isSame.Add(isSame);
    }

    /// <summary>Encodes both images (JPEG at <paramref name="jpegQuality"/>) and appends the pair.</summary>
    public void AddPair(Image first, Image second, bool isSame, int jpegQuality = 95) =>
        AddPair(ImageEncoder.EncodeJpeg(first, jpegQuality), ImageEncoder.EncodeJpeg(second, jpegQuality), isSame);

    /// <summary>Writes the labels and the end of the pickle, and moves the file into place.</summary>
    public void Complete()
    {
        if (_completed) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        _completed = true;
        EndBatch();
        _stream.WriteByte(EmptyList);
        foreach (bool same in _isSame) AppendItem(same ? NewTrue : NewFalse);
        EndBatch();
        _stream.Write([Tuple2, Stop]);
        _stream.Flush();
        _file.Flush(flushToDisk: false);
        _stream.Dispose();
        _disposed = true;
        File.Move(_temporaryPath, Path, overwrite: true);
    }

    /// <summary>Writes a whole pair set: <paramref name="images"/>[2i], [2i+1] form pair i.</summary>
    public static void Write(string path, IReadOnlyList<byte[]> images, IReadOnlyList<bool> isSame)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(isSame);
        if (images.Count != 2 * isSame.Count)
            throw new ArgumentException($"{images.Count} images for {isSame.Count} pairs; a pair set needs exactly two images per pair");
        using var writer = new BinPairSetWriter(path);
        for (int i = 0; i < isSame.Count; i++) writer.AddPair(images[2 * i], images[2 * i + 1], isSame[i]);
        writer.Complete();
    }

    /// <summary>Without <see cref="Complete"/> the partial file is deleted: a half-written pair set must not look usable.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Dispose();
        try { File.Delete(_temporaryPath); }
        catch (IOException) { }
    }

    private void CheckImage(ReadOnlySpan<byte> image, string which)
    {
        if (ImageDecoder.DetectFormat(image) == ImageFormat.Unknown)
            throw new ArgumentException($"pair {PairCount}: the {which} image is neither JPEG nor PNG bytes");
    }

    private void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        BeginItem();
        if (bytes.Length < 256)
        {
            _stream.WriteByte(ShortBinBytes);
            _stream.WriteByte((byte)bytes.Length);
        }
        else
        {
            Span<byte> header = stackalloc byte[5];
            header[0] = BinBytes;
            BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)bytes.Length);
            _stream.Write(header);
        }
        _stream.Write(bytes);
        EndItem();
    }

    private void AppendItem(byte opcode)
    {
        BeginItem();
        _stream.WriteByte(opcode);
        EndItem();
    }

    private void BeginItem()
    {
        if (_inBatch == 0) _stream.WriteByte(Mark);
    }

    private void EndItem()
    {
        if (++_inBatch == BatchSize) EndBatch();
    }

    private void EndBatch()
    {
        if (_inBatch == 0) return;
        _stream.WriteByte(Appends);
        _inBatch = 0;
    }
}
