using PocketNet.Evaluation.Metrics;
using PocketNet.Evaluation.Verification;

namespace PocketNet.Evaluation.Identification;

/// <summary>
/// MegaFace challenge 1 (FaceScrub probes against MegaFace distractors) on L2-normalised features, score =
/// cosine similarity. The devkit's Identification and FuseResults programs are closed binaries; they score with
/// a Joint-Bayesian model file, by default jb_identity.bin (by its name identity matrices, which would reduce to
/// a squared Euclidean distance), and the reference pipeline feeds them L2-normalised features (gen_megaface.py), for
/// which that distance ranks exactly as the cosine (|x - y|^2 = 2 - 2 cos). The refined lists' noise handling
/// (remove_noises.py) rewrites feature files before the devkit runs and is not part of this protocol.
/// <list type="bullet">
/// <item><b>Rank-1 identification</b>: for every identity and every ordered pair (p, g) of two different images
/// of it, probe p is searched in the gallery {g} ∪ distractors; a hit when score(p, g) is strictly greater than
/// score(p, d) for every distractor d (a tie counts as a miss: the devkit's FuseResults is a closed binary, so the
/// conservative rule is used). Rate = hits / searches. Because the gallery's distractor part is the same for
/// every g, only the largest distractor score per probe is needed: the distractors are streamed once.</item>
/// <item><b>Verification</b>: genuine pairs = unordered pairs of images of the same identity, impostor pairs =
/// every (probe, distractor). A pair is accepted when its score is at least the threshold. TAR at a target FAR
/// follows the devkit's plotting script (plot_result.py interp_target_tpr): on the ROC's points (one per distinct
/// score, starting at the origin), the first point with FAR &gt; target and the one before it, linear
/// interpolation in log10(FAR) (linear in FAR when the earlier FAR is 0). The points are exact: the largest
/// impostor scores are kept (bounded heaps), never the 3.5 billion scores.</item>
/// </list>
/// Memory: a few blocks of distractors, the probes, and per worker thread one heap of
/// ~floor(FAR x impostors) scores and a score histogram.
/// </summary>
public static class MegaFaceProtocol
{
    /// <summary>
    /// Rank-1 identification and TAR at <see cref="MegaFaceOptions.FarTargets"/> of <paramref name="probes"/> against
    /// <paramref name="distractors"/> (streamed once, in blocks); <paramref name="progress"/> gets the fraction of
    /// distractors scored.
    /// </summary>
    public static MegaFaceResult Evaluate(
        MegaFaceProbes probes,
        IFeatureSource distractors,
        MegaFaceOptions? options = null,
        IProgress<double>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(distractors);
        options ??= new MegaFaceOptions();
        int dimension = probes.Dimension;
        if (distractors.Dimension != dimension)
            throw new ArgumentException($"distractor features have {distractors.Dimension} values, probe features {dimension}");
        if (options.FarTargets.Count == 0 || options.FarTargets.Any(f => !(f > 0 && f < 1)))
            throw new ArgumentException("FAR targets must lie in (0, 1)");
        if (options.HistogramBins < 2) throw new ArgumentException("at least 2 histogram bins");
        int probeCount = probes.Count;
        long distractorCount = distractors.Count;
        if (distractorCount == 0) throw new ArgumentException("MegaFace needs at least one distractor");
        long impostorPairs = probeCount * distractorCount;

        // Normalised probes.
        var normalized = (float[])probes.Features.Clone();
        for (int p = 0; p < probeCount; p++)
            NormalizeRow(normalized.AsSpan(p * dimension, dimension), () => $"probe {p} ({probes.Identities[p]})");

        // Genuine pairs: every unordered pair of images of one identity.
        var (pairA, pairB, genuineScores) = GenuinePairs(probes, normalized);

        // Stream the distractors.
        double maxTarget = options.FarTargets.Max();
        // The first ROC point past the target needs floor(target x impostors) + 1 impostor scores strictly above the
        // heap's floor, hence one more kept than that.
        long needed = (long)Math.Floor(maxTarget * impostorPairs) + 2 + options.TopImpostorMargin;
        int topCapacity = (int)Math.Clamp(needed, 1, Math.Min(impostorPairs, Array.MaxLength));
        int workers = Math.Max(1, options.Threads ?? Environment.ProcessorCount);
        // Keep one block's scores per histogram bin within an int.
        int blockSize = (int)Math.Clamp(Math.Min(options.BlockSize, int.MaxValue / 2 / Math.Max(1L, probeCount)), 1, int.MaxValue);
        blockSize = Math.Max(DistractorScanner.TileColumns, blockSize / DistractorScanner.TileColumns * DistractorScanner.TileColumns);
        var scanner = new DistractorScanner(normalized, probeCount, dimension, workers, topCapacity, options.HistogramBins);
        StreamDistractors(distractors, scanner, blockSize, progress, cancellation);

        // Rank-1 over ordered pairs (p, g): hit when score(p, g) > max_d score(p, d).
        float[] maxDistractor = scanner.MaxDistractorScores();
        long hits = 0;
        for (int i = 0; i < genuineScores.Length; i++)
        {
            if (genuineScores[i] > maxDistractor[pairA[i]]) hits++;
            if (genuineScores[i] > maxDistractor[pairB[i]]) hits++;
        }
        long searches = 2L * genuineScores.Length;

        // Verification ROC.
        var (topImpostors, floor) = scanner.TopImpostorScores();
        var sortedGenuine = (float[])genuineScores.Clone();
        Array.Sort(sortedGenuine);
        Array.Reverse(sortedGenuine);
        var vertices = ExactVertices(sortedGenuine, topImpostors, floor, impostorPairs);
        var tarAtFar = options.FarTargets.Select(target => InterpolateTar(vertices, target, floor)).ToArray();
        var roc = PlotPoints(vertices, scanner.Histogram, sortedGenuine, impostorPairs, floor, options.MaxRocPoints);

        return new MegaFaceResult(
            probeCount,
            probes.IdentityCount,
            distractorCount,
            searches,
            hits,
            searches == 0 ? double.NaN : (double)hits / searches,
            genuineScores.Length,
            impostorPairs,
            tarAtFar,
            roc);
    }

    private static (int[] A, int[] B, float[] Scores) GenuinePairs(MegaFaceProbes probes, float[] normalized)
    {
        int dimension = probes.Dimension;
        var members = new List<int>[probes.IdentityCount];
        for (int i = 0; i < members.Length; i++) members[i] = [];
        for (int p = 0; p < probes.Count; p++) members[probes.IdentityIndex[p]].Add(p);
        var a = new List<int>();
        var b = new List<int>();
        foreach (var group in members)
            for (int i = 0; i < group.Count; i++)
                for (int j = i + 1; j < group.Count; j++)
                {
                    a.Add(group[i]);
                    b.Add(group[j]);
                }
        var scores = new float[a.Count];
        Parallel.For(0, scores.Length, i => scores[i] = DistractorScanner.Dot(
            normalized.AsSpan(a[i] * dimension, dimension), normalized.AsSpan(b[i] * dimension, dimension)));
        return (a.ToArray(), b.ToArray(), scores);
    }

    /// <summary>Reads, normalises and packs (see DistractorScanner.PackedIndex) block n + 1 while block n is scored.</summary>
    private static void StreamDistractors(IFeatureSource source, DistractorScanner scanner, int blockSize,
        IProgress<double>? progress, CancellationToken cancellation)
    {
        int dimension = source.Dimension;
        long total = source.Count;
        if (total == 0) return;
        int stride = (blockSize + DistractorScanner.TileColumns - 1) / DistractorScanner.TileColumns * DistractorScanner.TileColumns;

        // Two buffer sets: block n + 1 is prepared into one while block n is scored from the other.
        var rowBuffers = new float[2][];
        var transposedBuffers = new float[2][];
        for (int b = 0; b < 2; b++)
        {
            rowBuffers[b] = new float[blockSize * dimension];
            transposedBuffers[b] = new float[dimension * stride];
        }

        PreparedBlock Prepare(long start, int set)
        {
            int count = (int)Math.Min(blockSize, total - start);
            var rows = rowBuffers[set].AsSpan(0, count * dimension);
            source.Read(start, count, rows);
            var transposed = transposedBuffers[set];
            for (int r = 0; r < count; r++)
            {
                var row = rows.Slice(r * dimension, dimension);
                NormalizeRow(row, () => $"distractor {start + r}");
                for (int k = 0; k < dimension; k++) transposed[DistractorScanner.PackedIndex(r, k, dimension)] = row[k];
            }
            // Lanes past count in the last tile are ignored by the scanner, so stale padding is harmless.
            return new PreparedBlock(start, count, transposed);
        }

        var next = Task.Run(() => Prepare(0, 0), cancellation);
        int blockIndex = 0;
        for (long start = 0; start < total; start += blockSize, blockIndex++)
        {
            PreparedBlock block = next.GetAwaiter().GetResult();
            long following = start + blockSize;
            int followingSet = (blockIndex + 1) & 1;
            next = following < total ? Task.Run(() => Prepare(following, followingSet), cancellation) : Task.FromResult<PreparedBlock>(null!);
            cancellation.ThrowIfCancellationRequested();
            scanner.ScanBlock(block.Transposed, block.Count);
            progress?.Report((double)(block.Start + block.Count) / total);
        }
    }

    private sealed record PreparedBlock(long Start, int Count, float[] Transposed);

    /// <summary>One ROC point: counts of impostor and genuine scores at or above a threshold.</summary>
    private readonly record struct Vertex(double Threshold, long FalseAccepts, long TrueAccepts, double Far, double Tar);

    /// <summary>
    /// The ROC points at every distinct score above <paramref name="floor"/> (where the kept impostor scores are
    /// complete), from the origin downwards; both inputs sorted descending.
    /// </summary>
    private static List<Vertex> ExactVertices(float[] genuine, float[] impostors, float floor, long impostorPairs)
    {
        long genuineCount = genuine.Length;
        var vertices = new List<Vertex>();
        double top = Math.Max(genuine.Length > 0 ? genuine[0] : float.NegativeInfinity, impostors.Length > 0 ? impostors[0] : float.NegativeInfinity);
        vertices.Add(new Vertex(double.IsFinite(top) ? top + 1 : 2, 0, 0, 0, 0));
        int g = 0, i = 0;
        while (g < genuine.Length || i < impostors.Length)
        {
            float t = g < genuine.Length && (i >= impostors.Length || genuine[g] >= impostors[i]) ? genuine[g] : impostors[i];
            if (!(t > floor)) break; // below the floor the impostor counts are incomplete
            while (g < genuine.Length && genuine[g] == t) g++;
            while (i < impostors.Length && impostors[i] == t) i++;
            vertices.Add(new Vertex(t, i, g, (double)i / impostorPairs, genuineCount == 0 ? double.NaN : (double)g / genuineCount));
        }
        return vertices;
    }

    /// <summary>plot_result.py's interp_target_tpr with linear_interp_logx, on the exact points.</summary>
    private static TarAtFarPoint InterpolateTar(List<Vertex> vertices, double target, float floor)
    {
        int upper = vertices.FindIndex(v => v.Far > target);
        if (upper < 0)
            throw new InvalidOperationException(
                $"the kept impostor scores do not reach FAR {target:g} (too many tied scores at {floor}); raise MegaFaceOptions.TopImpostorMargin");
        Vertex lo = vertices[upper - 1], hi = vertices[upper]; // the origin (FAR 0) is never "upper"
        double x = target, x1 = lo.Far, x2 = hi.Far;
        if (x1 > 0 && x2 > 0)
        {
            x = Math.Log10(x);
            x1 = Math.Log10(x1);
            x2 = Math.Log10(x2);
        }
        double f1 = (x - x1) / (x2 - x1), f2 = (x2 - x) / (x2 - x1);
        return new TarAtFarPoint(target, target, lo.Tar * f2 + hi.Tar * f1, hi.Threshold);
    }

    /// <summary>
    /// Points for a log-FAR plot: the exact points, then (below the floor) thresholds at histogram bin edges with
    /// counts from the histogram; thinned to <paramref name="maxPoints"/>.
    /// </summary>
    private static IReadOnlyList<RocPoint> PlotPoints(List<Vertex> vertices, long[] histogram, float[] genuineDescending,
        long impostorPairs, float floor, int maxPoints)
    {
        var points = vertices.Select(v => new RocPoint(v.Threshold, v.Far, v.Tar)).ToList();
        if (float.IsFinite(floor))
        {
            int bins = histogram.Length;
            double lowestExact = vertices[^1].Threshold;
            long cumulative = 0;
            for (int b = bins - 1; b >= 0; b--)
            {
                cumulative += histogram[b];
                double edge = -1 + 2.0 * b / bins;
                if (edge >= lowestExact || edge >= floor) continue;
                double tar = genuineDescending.Length == 0 ? double.NaN : (double)CountAtLeast(genuineDescending, edge) / genuineDescending.Length;
                // Histogram counts at a bin edge may disagree with the exact counts by rounding at the edge;
                // keep the curve monotone for plotting.
                var last = points[^1];
                points.Add(new RocPoint(edge, Math.Max(last.FalseAcceptRate, (double)cumulative / impostorPairs), Math.Max(last.TrueAcceptRate, tar)));
            }
        }
        return RocSampling.LogSpacedIndices(points.Count, i => points[i].FalseAcceptRate, maxPoints).Select(i => points[i]).ToArray();
    }

    /// <summary>Number of values at least <paramref name="threshold"/> in a descending array (binary search).</summary>
    private static int CountAtLeast(float[] descending, double threshold)
    {
        int lo = 0, hi = descending.Length;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (descending[mid] >= threshold) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>L2-normalises a feature in place (in double); a zero feature stays zero; non-finite values are an error.</summary>
    private static void NormalizeRow(Span<float> row, Func<string> describe)
    {
        double sum = 0;
        foreach (float v in row) sum += (double)v * v;
        if (!double.IsFinite(sum)) throw new InvalidDataException($"{describe()} has a non-finite value");
        if (sum == 0) return;
        double norm = Math.Sqrt(sum);
        for (int k = 0; k < row.Length; k++) row[k] = (float)(row[k] / norm);
    }
}
