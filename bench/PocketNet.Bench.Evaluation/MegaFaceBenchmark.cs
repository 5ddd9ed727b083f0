using System.Diagnostics;
using PocketNet.Bench.Support;
using PocketNet.Evaluation.Identification;

namespace PocketNet.Bench.Evaluation;

/// <summary>
/// MegaFace challenge 1 at full size on synthetic features: 3,530 probes in 80 identities against 1,000,000
/// distractors of 128 values generated on the fly, block by block (never all in memory).
/// </summary>
internal static class MegaFaceBenchmark
{
    public const string Usage = """
        megaface [--probes 3530] [--identities 80] [--distractors 1000000] [--dim 128] [--block 16384]
                 [--threads all] [--seed 1]
        """;

    public static int Run(Options options)
    {
        int probeCount = options.Int("probes", 3_530);
        int identities = options.Int("identities", 80);
        long distractors = options.Long("distractors", 1_000_000);
        int dim = options.Int("dim", 128);
        int block = options.Int("block", 16_384);
        int threads = options.Int("threads", Environment.ProcessorCount);
        int seed = options.Int("seed", 1);
        options.RejectUnknown();

        Console.WriteLine($"megaface: {probeCount:N0} probes in {identities} identities vs {distractors:N0} distractors, {dim}-d, block {block}, {threads} threads");
        Console.WriteLine($"machine: {MachineInfo.Collect().Describe()}");
        Console.WriteLine($"load average before: {MachineInfo.ReadLoadAverage()}");

        // Probes: identity centre + noise (genuine cosine about 0.4, the largest of a million random cosines ~0.45).
        var centres = new float[identities * dim];
        new Gaussian(seed).Fill(centres);
        var noise = new Gaussian(seed + 1);
        var features = new float[probeCount * dim];
        var names = new string[probeCount];
        for (int p = 0; p < probeCount; p++)
        {
            int id = (int)((long)p * identities / probeCount);
            names[p] = $"identity{id}";
            for (int k = 0; k < dim; k++) features[p * dim + k] = centres[id * dim + k] + 1.2f * noise.Next();
        }
        var probes = new MegaFaceProbes(features, dim, names);
        var source = new SyntheticSource(distractors, dim, seed + 2);

        // What generating the distractors alone costs (it runs on the prefetch thread during the evaluation).
        var watch = Stopwatch.StartNew();
        var buffer = new float[block * dim];
        for (long start = 0; start < distractors; start += block)
            source.Read(start, (int)Math.Min(block, distractors - start), buffer);
        double generationSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"generating the distractors alone: {generationSeconds:0.00} s");

        bool resettable = Memory.ResetPeak();
        double baseline = Memory.CurrentMiB();
        double lastReported = 0;
        var progress = new Progress(fraction =>
        {
            if (fraction - lastReported >= 0.1 || fraction >= 1)
            {
                lastReported = fraction;
                Console.Error.WriteLine($"  {100 * fraction:0}% after {watch.Elapsed.TotalSeconds:0.0} s");
            }
        });
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var result = MegaFaceProtocol.Evaluate(probes, source, new MegaFaceOptions { BlockSize = block, Threads = threads }, progress);
        double seconds = watch.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        double peak = Memory.PeakMiB();
        double scoresPerSecond = (double)result.ImpostorPairs / seconds;

        Console.WriteLine($"evaluation: {seconds:0.00} s wall, {cpuSeconds:0.0} s CPU ({scoresPerSecond / 1e6:0} M probe-distractor scores/s), peak RSS {peak:0} MiB (baseline {baseline:0} MiB{(resettable ? "" : ", not resettable")})");
        Console.WriteLine($"rank-1 {100 * result.Rank1IdentificationRate:0.00}% ({result.Rank1Hits:N0} / {result.Searches:N0}), " +
                          $"TAR@FAR=1e-6 {100 * result.TarAt(1e-6):0.00}% ({result.GenuinePairs:N0} genuine, {result.ImpostorPairs:N0} impostor pairs), ROC points {result.Roc.Count}");
        Console.WriteLine($"load average after: {MachineInfo.ReadLoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("markdown rows:");
        Console.WriteLine($"| megaface rank-1 + TAR@1e-6 ({probeCount:N0} probes x {distractors:N0} distractors, {dim}-d) | {seconds:0.0} s | goal < 300 s; {cpuSeconds:0} s CPU; {scoresPerSecond / 1e6:0} M scores/s; distractor generation included (alone {generationSeconds:0.0} s) |");
        Console.WriteLine($"| megaface peak RSS | {peak:0} MiB | baseline {baseline:0} MiB |");
        return 0;
    }

    private sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    /// <summary>Gaussian features, deterministic per (seed, row): a block reads the same whatever its size.</summary>
    private sealed class SyntheticSource(long count, int dimension, int seed) : IFeatureSource
    {
        public int Dimension => dimension;

        public long Count => count;

        public void Read(long start, int rows, Span<float> destination)
        {
            // One generator per 1024 rows keeps the construction cost negligible yet stays block-size independent.
            const int RowsPerSeed = 1024;
            for (int r = 0; r < rows;)
            {
                long row = start + r;
                long group = row / RowsPerSeed;
                var gaussian = new Gaussian(unchecked(seed * 1_000_003 + (int)group)); // HashCode is randomised per process
                // Skip to this row inside its group (only when a block does not start on a group boundary).
                for (long skip = group * RowsPerSeed; skip < row; skip++)
                    for (int k = 0; k < dimension; k++) gaussian.Next();
                int end = (int)Math.Min(rows, r + (group + 1) * RowsPerSeed - row);
                gaussian.Fill(destination.Slice(r * dimension, (end - r) * dimension));
                r = end;
            }
        }
    }
}
