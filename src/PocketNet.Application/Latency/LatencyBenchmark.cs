using System.Diagnostics;
using PocketNet.Evaluation;

namespace PocketNet.Application.Latency;

/// <summary>
/// Measures an embedding model as InsightFace's lightweight-model challenges do, on whatever runs it (libtorch or
/// ONNX Runtime): untimed warm-up passes first (allocator, kernel selection), then the median of timed passes, so one
/// scheduler hiccup does not move the figure. The input is fixed pseudo-random noise in [-1, 1]: the cost of a
/// network does not depend on what the face looks like.
/// </summary>
public static class LatencyBenchmark
{
    public const int ImageSize = 112;
    public const int ThroughputBatch = 64;
    private const int WarmUp = 5;

    /// <param name="batchRuns">Timed passes at batch 64; by default a sixth of <paramref name="runs"/> (at least 3), 0 to skip throughput.</param>
    public static LatencyReport Measure(IEmbeddingModel model, string name, string runtime, int threads, int runs = 30,
        int? batchRuns = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 3);
        // The batch of 64 costs 64 times more per pass: fewer passes give as steady a median.
        int throughputRuns = batchRuns ?? Math.Max(3, runs / 6);
        float[] images = Noise((throughputRuns > 0 ? ThroughputBatch : 1) * 3 * ImageSize * ImageSize);
        var embeddings = new float[ThroughputBatch * model.Dimension];
        double single = MedianSeconds(model, images, 1, embeddings, runs, cancellation);
        double? batch = throughputRuns > 0 ? MedianSeconds(model, images, ThroughputBatch, embeddings, Math.Max(3, throughputRuns), cancellation) : null;
        return new LatencyReport(name, runtime, threads, HostDescription.CpuName(), single * 1000, ThroughputBatch / batch, ThroughputBatch,
            runs, DateTimeOffset.UtcNow);
    }

    private static double MedianSeconds(IEmbeddingModel model, float[] images, int count, float[] embeddings, int runs, CancellationToken cancellation)
    {
        ReadOnlySpan<float> input = images.AsSpan(0, count * 3 * ImageSize * ImageSize);
        for (int i = 0; i < WarmUp; i++) model.EmbedBatch(input, count, ImageSize, flip: false, embeddings);
        var seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            model.EmbedBatch(input, count, ImageSize, flip: false, embeddings);
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        return runs % 2 == 1 ? seconds[runs / 2] : (seconds[runs / 2 - 1] + seconds[runs / 2]) / 2;
    }

    private static float[] Noise(int length)
    {
        var random = new Random(7);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
