namespace PocketNet.Evaluation.Identification;

/// <summary>Features already in memory, row-major.</summary>
public sealed class InMemoryFeatureSource : IFeatureSource
{
    private readonly float[] _features;

    public InMemoryFeatureSource(float[] features, int dimension)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        if (features.Length % dimension != 0)
            throw new ArgumentException($"{features.Length} values are not a whole number of {dimension}-value features");
        _features = features;
        Dimension = dimension;
    }

    public int Dimension { get; }

    public long Count => _features.Length / Dimension;

    public void Read(long start, int count, Span<float> destination)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"features [{start}, {start + count}) of {Count}");
        _features.AsSpan((int)(start * Dimension), count * Dimension).CopyTo(destination);
    }
}
