using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using PocketNet.Data.Imaging;
using PocketNet.Data.RecordIO;
using PocketNet.Torch.Serialization;
using PocketNet.Torch.Serialization.Pickle;

namespace PocketNet.Data.Pairs;

/// <summary>
/// Reads InsightFace verification pair sets (lfw.bin, cfp_fp.bin, agedb_30.bin, ... and the SynthFaces
/// stand-ins): a Python pickle of the tuple (list of encoded images, list of bools), as written by Python 2
/// (byte strings) or Python 3 (bytes, at any protocol). The pickle is read by the engine's allow-listed
/// <see cref="PickleReader"/>, which never runs code. Errors name the file and where in it the problem lies.
/// </summary>
public static class BinPairSetReader
{
    /// <summary>
    /// Reads the pickle and checks its structure (a 2-tuple of a list of byte strings and a list of bools,
    /// two images per pair) without decoding any image.
    /// </summary>
    public static BinPairSetContents ReadEncoded(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"pair set {path} does not exist", path);
        object? root;
        try
        {
            root = PickleReader.Load(path);
        }
        catch (CheckpointFormatException e)
        {
            // The pickle reader's message already starts with the file name and gives the byte offset.
            throw new InvalidDataException($"{e.Message} (reading an InsightFace .bin pair set)", e);
        }
        return Interpret(path, root);
    }

    /// <summary>
    /// Reads <paramref name="path"/> and decodes every image (JPEG or PNG, in parallel; each encoded image is
    /// released as soon as it is decoded) to normalised CHW floats. Images must be
    /// <paramref name="imageSize"/> square. <paramref name="isSynthetic"/> null means: synthetic when a
    /// <c>SYNTHETIC</c> marker file lies next to the .bin (SynthFaces writes one).
    /// </summary>
    public static PairSet Read(string path, string? name = null, bool? isSynthetic = null, int imageSize = 112,
        int? maxDegreeOfParallelism = null, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        BinPairSetContents contents = ReadEncoded(path);
        float[][] images = Decode(path, contents.Images, imageSize, maxDegreeOfParallelism, progress, cancellation);
        return new PairSet(name ?? DefaultName(path), images, contents.IsSame.ToArray(), imageSize,
            isSynthetic ?? IsMarkedSynthetic(path));
    }

    /// <summary>The default name of a pair set: its file name without extension (lfw, cfp_fp, synth_agedb_30...).</summary>
    public static string DefaultName(string path) => Path.GetFileNameWithoutExtension(path);

    /// <summary>True when a SynthFaces <c>SYNTHETIC</c> marker lies in the folder of <paramref name="path"/>.</summary>
    public static bool IsMarkedSynthetic(string path) =>
        File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, RecordIoDatasetWriter.SyntheticMarkerFileName));

    /// <summary>How an image of a pair set is named in messages.</summary>
    public static string DescribeImage(string path, int index) => $"{path}: image {index} (pair {index / 2}, {(index % 2 == 0 ? "first" : "second")})";

    private static float[][] Decode(string path, IReadOnlyList<byte[]> encoded, int imageSize, int? maxDegreeOfParallelism,
        IProgress<double>? progress, CancellationToken cancellation)
    {
        // Own the references so each encoded image can be dropped once decoded: peak memory is then about
        // the decoded set, not decoded plus encoded.
        byte[]?[] pending = encoded.ToArray();
        var images = new float[pending.Length][];
        int length = 3 * imageSize * imageSize;
        var failures = new ConcurrentBag<(int Index, Exception Error)>();
        int done = 0;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = cancellation,
        };
        Parallel.ForEach(Partitioner.Create(0, pending.Length, 64), options, (range, state) =>
        {
            byte[] pixels = new byte[length];
            for (int i = range.Item1; i < range.Item2 && !state.ShouldExitCurrentIteration; i++)
            {
                try
                {
                    images[i] = DecodeOne(path, i, pending[i]!, imageSize, pixels);
                    pending[i] = null;
                }
                catch (InvalidDataException e)
                {
                    failures.Add((i, e));
                    state.Stop();
                    return;
                }
            }
            int finished = Interlocked.Add(ref done, range.Item2 - range.Item1);
            progress?.Report((double)finished / pending.Length);
        });
        if (!failures.IsEmpty) ExceptionDispatchInfo.Throw(failures.MinBy(f => f.Index).Error);
        return images;
    }

    private static float[] DecodeOne(string path, int index, byte[] encoded, int imageSize, byte[] pixels)
    {
        string source = DescribeImage(path, index);
        ImageInfo info;
        try
        {
            info = ImageDecoder.Identify(encoded, source);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{e.Message} (the image is corrupt or not an image)", e);
        }
        if (info.Width != imageSize || info.Height != imageSize)
            throw new InvalidDataException($"{source}: image is {info.Width}x{info.Height}, expected {imageSize}x{imageSize} (aligned crops)");
        ImageDecoder.DecodeInto(encoded, source, pixels, 3);
        var result = new float[3 * imageSize * imageSize];
        ModelInput.WriteChw(pixels, imageSize, imageSize, 3, result);
        return result;
    }

    private static BinPairSetContents Interpret(string path, object? root)
    {
        const string Expected = "a tuple (list of encoded images, list of bools)";
        object?[] parts = root switch
        {
            object?[] tuple => tuple,
            List<object?> list => list.ToArray(),
            _ => throw new InvalidDataException($"{path}: the pickle holds a {PickleReader.TypeName(root)}, expected {Expected}"),
        };
        if (parts.Length != 2)
            throw new InvalidDataException($"{path}: the pickle holds a tuple of {parts.Length} elements, expected {Expected}");
        if (parts[0] is not List<object?> imageList)
            throw new InvalidDataException($"{path}: element 0 of the tuple (the images) is a {PickleReader.TypeName(parts[0])}, expected a list of bytes");
        if (parts[1] is not List<object?> labelList)
            throw new InvalidDataException($"{path}: element 1 of the tuple (the labels) is a {PickleReader.TypeName(parts[1])}, expected a list of bools");

        var images = new byte[imageList.Count][];
        for (int i = 0; i < images.Length; i++)
            images[i] = imageList[i] as byte[]
                ?? throw new InvalidDataException($"{path}: images[{i}] (pair {i / 2}) is a {PickleReader.TypeName(imageList[i])}, expected bytes (an encoded JPEG/PNG)");

        var isSame = new bool[labelList.Count];
        for (int i = 0; i < isSame.Length; i++)
            isSame[i] = labelList[i] switch
            {
                bool b => b,
                long v and (0 or 1) => v == 1, // some converters wrote 0/1 integers
                var other => throw new InvalidDataException($"{path}: issame[{i}] is a {PickleReader.TypeName(other)} ({other}), expected a bool"),
            };

        if (images.Length != 2 * isSame.Length)
            throw new InvalidDataException(
                $"{path}: {images.Length} images for {isSame.Length} pairs; a pair set needs exactly two images per pair ({2 * isSame.Length})");
        return new BinPairSetContents(path, images, isSame);
    }
}
