namespace PocketNet.Data.Training;

/// <summary>Images already decoded in memory (small sets, tests, data produced by a generator in-process).</summary>
public sealed class InMemoryTrainingSet : ITrainingSet
{
    private readonly float[][] _images;
    private readonly int[] _labels;

    public InMemoryTrainingSet(string name, IReadOnlyList<float[]> images, IReadOnlyList<int> labels, int imageSize, bool isSynthetic)
    {
        if (images.Count != labels.Count) throw new ArgumentException($"{images.Count} images but {labels.Count} labels");
        int length = 3 * imageSize * imageSize;
        for (int i = 0; i < images.Count; i++)
            if (images[i].Length != length) throw new ArgumentException($"image {i} has {images[i].Length} values, expected {length}");
        (Name, ImageSize, IsSynthetic) = (name, imageSize, isSynthetic);
        _images = images.ToArray();
        _labels = labels.ToArray();
        ClassCount = _labels.Length == 0 ? 0 : _labels.Max() + 1;
    }

    public string Name { get; }
    public bool IsSynthetic { get; }
    public int Count => _images.Length;
    public int ClassCount { get; }
    public int ImageSize { get; }
    public int GetLabel(int index) => _labels[index];
    public void ReadImage(int index, Span<float> destination) => _images[index].CopyTo(destination);
}
