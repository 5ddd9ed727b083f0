using System.Buffers;
using Microsoft.Win32.SafeHandles;
using PocketNet.Data.Imaging;
using PocketNet.Data.Training;

namespace PocketNet.Data.Folders;

/// <summary>
/// A training set stored as one sub-folder per identity (torchvision ImageFolder style): sub-folders sorted
/// by ordinal name get labels 0..n-1; each holds *.jpg / *.jpeg / *.png images (any case, searched
/// recursively, sorted by ordinal relative path). Images must be aligned ImageSize x ImageSize crops.
/// </summary>
public sealed class ImageFolderTrainingSet : ITrainingSet
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    private readonly string[] _paths;
    private readonly int[] _labels;

    /// <summary>
    /// Lists <paramref name="root"/>. <paramref name="isSynthetic"/> null means: synthetic when a SYNTHETIC
    /// marker file lies in the root. An empty tree, or an identity folder without images, is an error.
    /// </summary>
    public ImageFolderTrainingSet(string root, string? name = null, bool? isSynthetic = null, int imageSize = 112)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        Root = Path.GetFullPath(root);
        if (!Directory.Exists(Root)) throw new DirectoryNotFoundException($"image folder {Root} does not exist");

        string[] classFolders = Directory.GetDirectories(Root).Order(StringComparer.Ordinal).ToArray();
        if (classFolders.Length == 0)
            throw new InvalidDataException($"{Root} has no identity sub-folders (expected one folder of images per identity)");

        var paths = new List<string>();
        var labels = new List<int>();
        var empty = new List<string>();
        for (int label = 0; label < classFolders.Length; label++)
        {
            string folder = classFolders[label];
            string[] images = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive })
                .Where(p => Extensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0) empty.Add(Path.GetFileName(folder));
            paths.AddRange(images);
            labels.AddRange(Enumerable.Repeat(label, images.Length));
        }
        if (empty.Count > 0)
            throw new InvalidDataException(
                $"{Root}: identity folder(s) without .jpg/.jpeg/.png images: {string.Join(", ", empty.Take(10))}{(empty.Count > 10 ? $" and {empty.Count - 10} more" : "")}");

        ClassNames = classFolders.Select(Path.GetFileName).ToArray()!;
        _paths = paths.ToArray();
        _labels = labels.ToArray();
        ImageSize = imageSize;
        ClassCount = classFolders.Length;
        IsSynthetic = isSynthetic ?? File.Exists(Path.Combine(Root, RecordIO.RecordIoDatasetWriter.SyntheticMarkerFileName));
        Name = name ?? Path.GetFileName(Root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
    }

    public string Root { get; }

    /// <summary>Identity folder names; label i is ClassNames[i].</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public string Name { get; }
    public bool IsSynthetic { get; }
    public int Count => _paths.Length;
    public int ClassCount { get; }
    public int ImageSize { get; }

    public int GetLabel(int index) => _labels[index];

    public string GetPath(int index) => _paths[index];

    /// <summary>Image <paramref name="index"/> decoded to RGB at its stored size.</summary>
    public Image DecodeImage(int index)
    {
        string path = _paths[index];
        byte[] bytes = ReadFile(path, out int length);
        try
        {
            return ImageDecoder.Decode(bytes.AsSpan(0, length), path, expandToRgb: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public void ReadImage(int index, Span<float> destination)
    {
        string path = _paths[index];
        byte[] bytes = ReadFile(path, out int length);
        int size = 3 * ImageSize * ImageSize;
        byte[] pixels = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            ReadOnlySpan<byte> encoded = bytes.AsSpan(0, length);
            ImageInfo info = ImageDecoder.Identify(encoded, path);
            if (info.Width != ImageSize || info.Height != ImageSize)
                throw new InvalidDataException($"{path}: image is {info.Width}x{info.Height}, expected {ImageSize}x{ImageSize} (aligned crops)");
            ImageDecoder.DecodeInto(encoded, path, pixels.AsSpan(0, size), 3);
            ModelInput.WriteChw(pixels.AsSpan(0, size), ImageSize, ImageSize, 3, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The whole file in a pooled buffer (return it); I/O failures become errors naming the file.</summary>
    private static byte[] ReadFile(string path, out int length)
    {
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long size = RandomAccess.GetLength(handle);
            if (size > Array.MaxLength) throw new InvalidDataException($"{path}: {size} bytes is too large for an image");
            byte[] buffer = ArrayPool<byte>.Shared.Rent((int)size);
            int total = 0;
            while (total < size)
            {
                int read = RandomAccess.Read(handle, buffer.AsSpan(total, (int)size - total), total);
                if (read <= 0) break;
                total += read;
            }
            length = total;
            return buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read the image file: {e.Message}", e);
        }
    }
}
