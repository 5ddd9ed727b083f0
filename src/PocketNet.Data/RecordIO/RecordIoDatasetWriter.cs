using System.Buffers.Binary;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.RecordIO;

/// <summary>
/// Writes a face training set in InsightFace's RecordIO layout (what MXFaceDataset reads):
/// key 0: header record, flag 2, labels (n + 1, n + 1 + r);
/// keys 1..n: the images, header label = class, payload = encoded JPEG/PNG;
/// keys n + 1 .. n + r: one record per run of consecutive images with the same label, flag 2, labels
/// (first key, end key) of the run (InsightFace's identity records, contiguous when written grouped by class).
/// The header record's labels are filled in by <see cref="Complete"/> (also called by Dispose).
/// </summary>
public sealed class RecordIoDatasetWriter : IDisposable
{
    public const string RecordFileName = "train.rec";
    public const string IndexFileName = "train.idx";

    /// <summary>Marker file next to the .rec that labels the set as generated (SynthFaces).</summary>
    public const string SyntheticMarkerFileName = "SYNTHETIC";

    // Float32 labels hold integers exactly only up to 2^24.
    private const int MaxExactKey = 1 << 24;

    private readonly RecordIoWriter _writer;
    private readonly List<(int Label, int FirstKey, int EndKey)> _runs = [];
    private readonly long _headerOffset;
    private bool _completed;

    /// <summary>
    /// Creates <paramref name="recordPath"/> and its index (default: .idx next to it). With
    /// <paramref name="markSynthetic"/> a <see cref="SyntheticMarkerFileName"/> file is written beside them.
    /// </summary>
    public RecordIoDatasetWriter(string recordPath, string? indexPath = null, bool markSynthetic = false)
    {
        _writer = new RecordIoWriter(recordPath, indexPath);
        string marker = Path.Combine(Path.GetDirectoryName(_writer.RecordPath)!, SyntheticMarkerFileName);
        if (markSynthetic) File.WriteAllText(marker, "Generated data (SynthFaces): no real faces; results on it are synthetic.\n");
        else if (File.Exists(marker)) File.Delete(marker); // a stale marker must not mislabel real data

        // Placeholder header (fixed size: 24-byte IRHeader + 2 floats); its two labels are patched in at the end.
        // Patching cannot break the framing: non-negative float32 values never have the magic's bit pattern.
        _headerOffset = _writer.Write(0, ImageRecord.Pack(new RecordIoHeader(0, 0, 0, 0), [0f, 0f], []));
    }

    /// <summary>A writer for <paramref name="folder"/>/train.rec and train.idx (the folder is created).</summary>
    public static RecordIoDatasetWriter CreateInFolder(string folder, bool markSynthetic = false)
    {
        Directory.CreateDirectory(folder);
        return new RecordIoDatasetWriter(Path.Combine(folder, RecordFileName), Path.Combine(folder, IndexFileName), markSynthetic);
    }

    public string RecordPath => _writer.RecordPath;
    public string IndexPath => _writer.IndexPath;

    public int ImageCount { get; private set; }

    /// <summary>Appends an already encoded JPEG or PNG with class <paramref name="label"/>; returns its key.</summary>
    public int AddImage(int label, ReadOnlySpan<byte> encodedImage)
    {
        if (_completed) throw new InvalidOperationException($"{RecordPath} is already complete");
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        if (label >= MaxExactKey) throw new ArgumentOutOfRangeException(nameof(label), label, "float32 labels are exact only below 2^24");
        if (ImageDecoder.DetectFormat(encodedImage) == ImageFormat.Unknown)
            throw new ArgumentException("the image bytes are neither JPEG nor PNG", nameof(encodedImage));
        int key = ImageCount + 1;
        if (key + 1 >= MaxExactKey) throw new InvalidOperationException("float32 header labels are exact only below 2^24 records");
        _writer.Write(key, ImageRecord.Pack(new RecordIoHeader(0, label, (ulong)key, 0), [], encodedImage));
        ImageCount++;

        if (_runs.Count > 0 && _runs[^1].Label == label) _runs[^1] = _runs[^1] with { EndKey = key + 1 };
        else _runs.Add((label, key, key + 1));
        return key;
    }

    /// <summary>Encodes <paramref name="image"/> (JPEG at <paramref name="jpegQuality"/>, or PNG) and appends it.</summary>
    public int AddImage(int label, Image image, ImageFormat format = ImageFormat.Jpeg, int jpegQuality = 95) =>
        AddImage(label, ImageEncoder.Encode(image, format, jpegQuality));

    /// <summary>Writes the identity records and the header's counts, and closes the files.</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        int firstIdentityKey = ImageCount + 1;
        int key = firstIdentityKey;
        foreach (var run in _runs)
        {
            _writer.Write(key, ImageRecord.Pack(new RecordIoHeader(0, 0, (ulong)key, 0), [run.FirstKey, run.EndKey], []));
            key++;
        }
        Span<byte> labels = stackalloc byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(labels, firstIdentityKey);
        BinaryPrimitives.WriteSingleLittleEndian(labels[4..], key);
        _writer.Patch(_headerOffset + RecordIoFormat.PartHeaderSize + RecordIoHeader.Size, labels);
        _writer.Dispose();
    }

    public void Dispose()
    {
        if (!_completed) Complete();
        _writer.Dispose();
    }
}
