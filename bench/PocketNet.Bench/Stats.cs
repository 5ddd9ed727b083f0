namespace PocketNet.Bench;

/// <summary>Summary of repeated timings (any unit).</summary>
public sealed record Stats(double Median, double Min, double Max, int Count)
{
    public static Stats Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[^1], n);
    }
}
