namespace PocketNet.Evaluation.Identification;

/// <summary>
/// Features read in blocks, so that a million distractors never need to be in memory at once. Read is
/// called by one thread at a time (possibly not the caller's), with ascending, non-overlapping ranges.
/// </summary>
public interface IFeatureSource
{
    /// <summary>Length of each feature.</summary>
    int Dimension { get; }

    /// <summary>Number of features.</summary>
    long Count { get; }

    /// <summary>Copies features [start, start + count) row-major into <paramref name="destination"/> (count x Dimension values).</summary>
    void Read(long start, int count, Span<float> destination);
}
