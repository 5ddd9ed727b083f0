namespace PocketNet.Data.Training;

/// <summary>A view on some of another set's images (the two halves of a DARTS search, a quick debug subset).</summary>
public sealed class TrainingSubset : ITrainingSet
{
    private readonly ITrainingSet _source;
    private readonly int[] _indices;

    public TrainingSubset(ITrainingSet source, IEnumerable<int> indices, string? name = null)
    {
        _source = source;
        _indices = indices.ToArray();
        foreach (int i in _indices)
            if (i < 0 || i >= source.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"{source.Name} has {source.Count} images");
        Name = name ?? $"{source.Name} (subset of {_indices.Length})";
    }

    /// <summary>Splits a set into two halves by a seeded shuffle (deterministic for a seed).</summary>
    public static (TrainingSubset First, TrainingSubset Second) Halves(ITrainingSet source, int seed)
    {
        int[] order = Enumerable.Range(0, source.Count).ToArray();
        new Random(seed).Shuffle(order);
        int half = order.Length / 2;
        return (new TrainingSubset(source, order[..half], $"{source.Name} (first half)"),
                new TrainingSubset(source, order[half..], $"{source.Name} (second half)"));
    }

    public string Name { get; }
    public bool IsSynthetic => _source.IsSynthetic;
    public int Count => _indices.Length;
    public int ClassCount => _source.ClassCount;
    public int ImageSize => _source.ImageSize;
    public int GetLabel(int index) => _source.GetLabel(_indices[index]);
    public void ReadImage(int index, Span<float> destination) => _source.ReadImage(_indices[index], destination);
}
