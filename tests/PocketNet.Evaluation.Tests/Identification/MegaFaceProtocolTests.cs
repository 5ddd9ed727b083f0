using PocketNet.Evaluation.Identification;

namespace PocketNet.Evaluation.Tests.Identification;

public class MegaFaceProtocolTests
{
    // 4-d unit vectors with components in {0, ±1/2, ±1}: every cosine is exact in float.
    private static float[] E(int axis) => Enumerable.Range(0, 4).Select(k => k == axis ? 1f : 0f).ToArray();
    private static float[] H(int s0, int s1, int s2, int s3) => [0.5f * s0, 0.5f * s1, 0.5f * s2, 0.5f * s3];

    // Identity A: a1 = e1, a2 = h(+,+,+,+); identity B: b1 = e2, b2 = h(-,+,+,+), b3 = h(-,+,-,-).
    // Genuine cosines: a1a2 = 0.5, b1b2 = 0.5, b1b3 = 0.5, b2b3 = 0.
    // Distractors d1 = e3, d2 = h(+,-,-,+):
    //          d1     d2    max
    //   a1     0      0.5   0.5
    //   a2     0.5    0     0.5
    //   b1     0     -0.5   0
    //   b2     0.5   -0.5   0.5
    //   b3    -0.5   -0.5  -0.5
    // Searches (probe, gallery): (a1,a2) 0.5 > 0.5? no (tie); (a2,a1) no (tie); (b1,b2) 0.5 > 0 yes;
    // (b1,b3) yes; (b2,b1) 0.5 > 0.5 no (tie); (b2,b3) 0 > 0.5 no; (b3,b1) 0.5 > -0.5 yes; (b3,b2) 0 > -0.5 yes.
    // Rank-1 = 4 / 8.
    private static MegaFaceProbes HandProbes() => new(
        [.. E(0), .. H(1, 1, 1, 1), .. E(1), .. H(-1, 1, 1, 1), .. H(-1, 1, -1, -1)],
        4,
        ["A", "A", "B", "B", "B"]);

    private static InMemoryFeatureSource HandDistractors() => new([.. E(2), .. H(1, -1, -1, 1)], 4);

    [Fact]
    public void RankOneOnAHandCheckedSetCountsTiesAsMisses()
    {
        var result = MegaFaceProtocol.Evaluate(HandProbes(), HandDistractors());
        Assert.Equal(5, result.Probes);
        Assert.Equal(2, result.Identities);
        Assert.Equal(2, result.Distractors);
        Assert.Equal(8, result.Searches);
        Assert.Equal(4, result.Rank1Hits);
        Assert.Equal(0.5, result.Rank1IdentificationRate);
    }

    [Fact]
    public void VerificationTarIsInterpolatedLikeTheDevkitPlotScript()
    {
        // Genuine scores {0.5, 0.5, 0.5, 0}; impostor scores {0.5 x3, 0 x3, -0.5 x4} (10 pairs).
        // ROC points: origin, 0.5 -> (0.3, 0.75), 0 -> (0.6, 1), -0.5 -> (1, 1).
        var result = MegaFaceProtocol.Evaluate(HandProbes(), HandDistractors(),
            new MegaFaceOptions { FarTargets = [1e-6, 0.45] });
        Assert.Equal(4, result.GenuinePairs);
        Assert.Equal(10, result.ImpostorPairs);
        // 1e-6 lies between the origin (FAR 0: linear interpolation) and (0.3, 0.75).
        Assert.Equal(0.75 * 1e-6 / 0.3, result.TarAt(1e-6), 15);
        Assert.Equal(0.5, result.TarAtFar[0].Threshold);
        // 0.45 lies between (0.3, 0.75) and (0.6, 1): linear in log10 FAR, weight log(1.5)/log(2) on the upper.
        Assert.Equal(0.75 + 0.25 * Math.Log(1.5) / Math.Log(2), result.TarAt(0.45), 12);
        Assert.Equal(0.0, result.TarAtFar[1].Threshold);
        // The plotted ROC is exact here (all impostors kept).
        Assert.Equal([0, 0.3, 0.6, 1.0], result.Roc.Select(p => p.FalseAcceptRate).ToArray());
        Assert.Equal([0, 0.75, 1.0, 1.0], result.Roc.Select(p => p.TrueAcceptRate).ToArray());
    }

    [Fact]
    public void FeaturesAreNormalisedFirst()
    {
        // Scaling probes and distractors changes nothing.
        var probes = HandProbes();
        var scaled = new MegaFaceProbes(probes.Features.Select((v, i) => v * (1 + i / 4)).ToArray(), 4, probes.Identities);
        var distractors = new InMemoryFeatureSource([.. E(2).Select(v => v * 8), .. H(1, -1, -1, 1).Select(v => v * 0.25f)], 4);
        var result = MegaFaceProtocol.Evaluate(scaled, distractors);
        Assert.Equal(4, result.Rank1Hits);
    }

    [Theory]
    [InlineData(1, 16, 0)]
    [InlineData(2, 64, 0)]
    [InlineData(3, 48, 5)]
    [InlineData(2, 100_000, 1024)]
    public void StreamingBlockedKernelAgreesWithBruteForce(int threads, int blockSize, int margin)
    {
        // Sizes off every multiple: 37 probes (not a multiple of 4), 19-d, 1,003 distractors (partial tiles and
        // a partial last block).
        var random = new Random(threads * 1000 + blockSize);
        int dim = 19, identities = 6, probeCount = 37, distractorCount = 1003;
        var centres = Enumerable.Range(0, identities * dim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var ids = Enumerable.Range(0, probeCount).Select(i => i % identities).ToArray();
        var probeFeatures = new float[probeCount * dim];
        for (int p = 0; p < probeCount; p++)
            for (int k = 0; k < dim; k++)
                probeFeatures[p * dim + k] = centres[ids[p] * dim + k] + 0.35f * ((float)random.NextDouble() - 0.5f);
        var distractorFeatures = Enumerable.Range(0, distractorCount * dim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var probes = new MegaFaceProbes(probeFeatures, dim, ids.Select(i => $"id{i}").ToArray());
        double[] targets = [1e-6, 1e-4, 1e-3, 0.01, 0.1];
        var options = new MegaFaceOptions { FarTargets = targets, BlockSize = blockSize, Threads = threads, TopImpostorMargin = margin };

        var result = MegaFaceProtocol.Evaluate(probes, new InMemoryFeatureSource(distractorFeatures, dim), options);

        // Brute force with the same arithmetic (normalise in double, sequential fused multiply-adds).
        var np = Normalised(probeFeatures, dim);
        var nd = Normalised(distractorFeatures, dim);
        var maxDistractor = new float[probeCount];
        var impostors = new List<float>();
        for (int p = 0; p < probeCount; p++)
        {
            maxDistractor[p] = float.NegativeInfinity;
            for (int d = 0; d < distractorCount; d++)
            {
                float s = FmaDot(np.AsSpan(p * dim, dim), nd.AsSpan(d * dim, dim));
                maxDistractor[p] = Math.Max(maxDistractor[p], s);
                impostors.Add(s);
            }
        }
        long searches = 0, hits = 0;
        var genuine = new List<float>();
        for (int p = 0; p < probeCount; p++)
            for (int g = 0; g < probeCount; g++)
            {
                if (p == g || ids[p] != ids[g]) continue;
                float s = FmaDot(np.AsSpan(p * dim, dim), np.AsSpan(g * dim, dim));
                searches++;
                if (s > maxDistractor[p]) hits++;
                if (p < g) genuine.Add(s);
            }
        Assert.Equal(searches, result.Searches);
        Assert.Equal(hits, result.Rank1Hits);
        Assert.Equal(genuine.Count, result.GenuinePairs);
        Assert.Equal((long)probeCount * distractorCount, result.ImpostorPairs);

        foreach (double target in targets)
            Assert.Equal(BruteForceTar(genuine, impostors, target), result.TarAt(target), 12);

        var roc = result.Roc;
        Assert.True(roc.Count <= 1000);
        for (int i = 1; i < roc.Count; i++)
        {
            Assert.True(roc[i].FalseAcceptRate >= roc[i - 1].FalseAcceptRate);
            Assert.True(roc[i].TrueAcceptRate >= roc[i - 1].TrueAcceptRate);
        }
        Assert.Equal(1.0, roc[^1].FalseAcceptRate, 6);
    }

    /// <summary>The devkit plot script's rule, over the ROC points at all distinct thresholds (counts by binary search).</summary>
    private static double BruteForceTar(List<float> genuine, List<float> impostors, double target)
    {
        var g = genuine.OrderBy(s => s).ToArray();
        var im = impostors.OrderBy(s => s).ToArray();
        static int AtLeast(float[] ascending, float t)
        {
            int lo = 0, hi = ascending.Length;
            while (lo < hi) { int mid = (lo + hi) / 2; if (ascending[mid] < t) lo = mid + 1; else hi = mid; }
            return ascending.Length - lo;
        }
        var thresholds = genuine.Concat(impostors).Distinct().OrderByDescending(t => t).ToArray();
        var points = new List<(double Far, double Tar)> { (0, 0) };
        foreach (float t in thresholds)
            points.Add(((double)AtLeast(im, t) / im.Length, (double)AtLeast(g, t) / g.Length));
        int i = points.FindIndex(p => p.Far > target);
        var (x1, y1) = points[i - 1];
        var (x2, y2) = points[i];
        double x = target;
        if (x1 > 0 && x2 > 0) (x, x1, x2) = (Math.Log10(x), Math.Log10(x1), Math.Log10(x2));
        return y1 * (x2 - x) / (x2 - x1) + y2 * (x - x1) / (x2 - x1);
    }

    private static float[] Normalised(float[] features, int dim)
    {
        var result = (float[])features.Clone();
        for (int r = 0; r < features.Length / dim; r++)
        {
            double sum = 0;
            for (int k = 0; k < dim; k++) sum += (double)result[r * dim + k] * result[r * dim + k];
            double norm = Math.Sqrt(sum);
            for (int k = 0; k < dim; k++) result[r * dim + k] = (float)(result[r * dim + k] / norm);
        }
        return result;
    }

    private static float FmaDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int k = 0; k < a.Length; k++) sum = MathF.FusedMultiplyAdd(a[k], b[k], sum);
        return sum;
    }

    [Fact]
    public void RejectsMismatchedDimensionsAndEmptyDistractors()
    {
        Assert.Throws<ArgumentException>(() => MegaFaceProtocol.Evaluate(HandProbes(), new InMemoryFeatureSource(new float[6], 3)));
        Assert.Throws<ArgumentException>(() => MegaFaceProtocol.Evaluate(HandProbes(), new InMemoryFeatureSource([], 4)));
        var nan = new InMemoryFeatureSource([1, 0, float.NaN, 0], 4);
        var error = Assert.Throws<InvalidDataException>(() => MegaFaceProtocol.Evaluate(HandProbes(), nan));
        Assert.Contains("distractor 0", error.Message);
    }

    [Fact]
    public void ReportsProgressAndHonoursCancellation()
    {
        var reports = new List<double>();
        var progress = new SynchronousProgress(reports.Add);
        var distractors = new InMemoryFeatureSource(Enumerable.Range(0, 4 * 100).Select(i => (float)Math.Sin(i)).ToArray(), 4);
        MegaFaceProtocol.Evaluate(HandProbes(), distractors, new MegaFaceOptions { BlockSize = 32 }, progress);
        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Count >= 4);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            MegaFaceProtocol.Evaluate(HandProbes(), distractors, new MegaFaceOptions { BlockSize = 32 }, cancellation: cancelled.Token));
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
