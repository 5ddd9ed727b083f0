using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using PocketNet.Data.Imaging;
using PocketNet.Data.Training;

namespace PocketNet.Data.RecordIO;

/// <summary>
/// A training set in InsightFace's RecordIO form (train.rec + train.idx: MS1MV2, CASIA-WebFace, SynthFaces),
/// read as InsightFace's MXFaceDataset reads it: when record 0's header has a label array, its first value
/// ends the image keys (images are keys 1 .. label[0] - 1); otherwise every indexed record is an image. An
/// image's class is label[0] of its header's array, or the header's label. Labels are scanned once on
/// opening; images are decoded on demand (JPEG or PNG) with positional reads, so <see cref="ReadImage"/>
/// may run on many threads at once.
/// </summary>
public sealed class RecordIoTrainingSet : ITrainingSet, IDisposable
{
    /// <summary>Bytes read per record while scanning labels: the IRHeader and the first label.</summary>
    private const int LabelPrefixSize = RecordIoHeader.Size + sizeof(float);

    private readonly RecordIoReader _reader;
    private readonly int[] _keys;
    private readonly int[] _labels;

    /// <summary>
    /// Opens <paramref name="recordPath"/> (index: <paramref name="indexPath"/>, default the .idx beside it).
    /// <paramref name="isSynthetic"/> null means: synthetic when a SYNTHETIC marker file lies next to the .rec.
    /// </summary>
    public RecordIoTrainingSet(string recordPath, string? indexPath = null, string? name = null, bool? isSynthetic = null, int imageSize = 112)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        _reader = new RecordIoReader(recordPath, indexPath);
        try
        {
            string folder = Path.GetDirectoryName(_reader.RecordPath)!;
            ImageSize = imageSize;
            IsSynthetic = isSynthetic ?? File.Exists(Path.Combine(folder, RecordIoDatasetWriter.SyntheticMarkerFileName));
            Name = name ?? DefaultName(_reader.RecordPath);
            _keys = ImageKeys(out var headerRange);
            HeaderRange = headerRange;
            if (_keys.Length == 0) throw new InvalidDataException($"{_reader.RecordPath} holds no images");
            _labels = ScanLabels();
            ClassCount = _labels.Max() + 1;
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="folder"/>/train.rec with train.idx.</summary>
    public static RecordIoTrainingSet OpenFolder(string folder, string? name = null, bool? isSynthetic = null, int imageSize = 112) =>
        new(Path.Combine(folder, RecordIoDatasetWriter.RecordFileName), Path.Combine(folder, RecordIoDatasetWriter.IndexFileName),
            name, isSynthetic, imageSize);

    public string Name { get; }
    public bool IsSynthetic { get; }
    public int Count => _keys.Length;
    public int ClassCount { get; }
    public int ImageSize { get; }

    /// <summary>Record 0's (label[0], label[1]) when it is an InsightFace header record, else null.</summary>
    public (int ImageEnd, int IdentityEnd)? HeaderRange { get; }

    public string RecordPath => _reader.RecordPath;

    public int GetLabel(int index) => _labels[index];

    /// <summary>The RecordIO key of image <paramref name="index"/>.</summary>
    public int GetKey(int index) => _keys[index];

    /// <summary>The encoded (JPEG/PNG) bytes of image <paramref name="index"/>.</summary>
    public byte[] ReadEncodedImage(int index)
    {
        using RentedRecord record = _reader.RentRecord(_keys[index]);
        return ImageRecord.Parse(record.Span, Describe(index)).Payload.ToArray();
    }

    /// <summary>Image <paramref name="index"/> decoded to RGB, at whatever size it is stored.</summary>
    public Image DecodeImage(int index)
    {
        using RentedRecord record = _reader.RentRecord(_keys[index]);
        return ImageDecoder.Decode(ImageRecord.Parse(record.Span, Describe(index)).Payload, Describe(index), expandToRgb: true);
    }

    public void ReadImage(int index, Span<float> destination)
    {
        int key = _keys[index];
        using RentedRecord record = _reader.RentRecord(key);
        string source = Describe(index);
        ReadOnlySpan<byte> encoded = ImageRecord.Parse(record.Span, source).Payload;
        ImageInfo info = ImageDecoder.Identify(encoded, source);
        if (info.Width != ImageSize || info.Height != ImageSize)
            throw new InvalidDataException($"{source}: image is {info.Width}x{info.Height}, expected {ImageSize}x{ImageSize} (aligned crops)");
        int length = 3 * ImageSize * ImageSize;
        byte[] pixels = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ImageDecoder.DecodeInto(encoded, source, pixels.AsSpan(0, length), 3);
            ModelInput.WriteChw(pixels.AsSpan(0, length), ImageSize, ImageSize, 3, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    public void Dispose() => _reader.Dispose();

    private string Describe(int index) => $"{_reader.Describe(_keys[index])}, image {index}";

    private static string DefaultName(string recordPath)
    {
        // InsightFace sets are folders holding train.rec (faces_emore, faces_webface_112x112): name them by the folder.
        if (Path.GetFileName(recordPath) == RecordIoDatasetWriter.RecordFileName)
        {
            string? folder = Path.GetFileName(Path.GetDirectoryName(recordPath));
            if (!string.IsNullOrEmpty(folder)) return folder;
        }
        return Path.GetFileNameWithoutExtension(recordPath);
    }

    private int[] ImageKeys(out (int, int)? headerRange)
    {
        headerRange = null;
        if (!_reader.ContainsKey(0)) return _reader.Keys.ToArray();

        using RentedRecord first = _reader.RentRecord(0);
        var header = ImageRecord.Parse(first.Span, _reader.Describe(0));
        if (header.Header.Flag == 0) return _reader.Keys.ToArray(); // record 0 is itself an image

        if (header.LabelCount < 2)
            throw new InvalidDataException($"{_reader.Describe(0)}: header record has {header.LabelCount} label(s), expected (image end, identity end)");
        float end = header.GetLabel(0), identityEnd = header.GetLabel(1);
        if (!IsKey(end) || end < 1 || !IsKey(identityEnd))
            throw new InvalidDataException($"{_reader.Describe(0)}: header record's range ({end}, {identityEnd}) is not a pair of record keys");
        headerRange = ((int)end, (int)identityEnd);
        var keys = new int[(int)end - 1];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = i + 1;
            if (!_reader.ContainsKey(keys[i]))
                throw new InvalidDataException($"{_reader.IndexPath}: the header record says images are keys 1..{(int)end - 1}, but key {keys[i]} is not indexed");
        }
        return keys;
    }

    private int[] ScanLabels()
    {
        var labels = new int[_keys.Length];
        var failures = new ConcurrentBag<(int Index, Exception Error)>();
        // Millions of small positional reads: spread them over cores; they are independent.
        Parallel.ForEach(Partitioner.Create(0, _keys.Length, 4096), range =>
        {
            Span<byte> prefix = stackalloc byte[LabelPrefixSize];
            for (int i = range.Item1; i < range.Item2; i++)
            {
                try
                {
                    labels[i] = ReadLabel(i, prefix);
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    failures.Add((i, e));
                    return;
                }
            }
        });
        if (!failures.IsEmpty) ExceptionDispatchInfo.Throw(failures.MinBy(f => f.Index).Error); // report the first bad record
        return labels;
    }

    private int ReadLabel(int index, Span<byte> prefix)
    {
        int key = _keys[index];
        int length = _reader.ReadPrefix(key, prefix, out int copied);
        if (copied < RecordIoHeader.Size)
            throw new InvalidDataException($"{Describe(index)}: record of {length} bytes is shorter than the {RecordIoHeader.Size}-byte image-record header");
        uint flag = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        float label;
        if (flag > 0)
        {
            if (copied < LabelPrefixSize || RecordIoHeader.Size + 4L * flag > length)
                throw new InvalidDataException($"{Describe(index)}: header announces {flag} labels but the record has only {length} bytes");
            label = BinaryPrimitives.ReadSingleLittleEndian(prefix[RecordIoHeader.Size..]);
        }
        else
        {
            label = BinaryPrimitives.ReadSingleLittleEndian(prefix[4..]);
        }
        if (!IsKey(label))
            throw new InvalidDataException($"{Describe(index)}: label {label} is not a non-negative integer");
        return (int)label;
    }

    private static bool IsKey(float value) => float.IsFinite(value) && value >= 0 && value == MathF.Floor(value) && value < int.MaxValue;
}
