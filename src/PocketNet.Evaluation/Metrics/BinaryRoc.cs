using PocketNet.Evaluation.Verification;

namespace PocketNet.Evaluation.Metrics;

/// <summary>
/// The exact ROC curve of scored pairs ("higher score = more likely the same identity"), built the way
/// <c>sklearn.metrics.roc_curve(labels, scores)</c> builds it with its defaults, because the IJB reference
/// (eval_ijbc.py) reads its TAR table off that curve:
/// <list type="bullet">
/// <item>one candidate point per distinct score, from the highest down: the counts of genuine (TP) and
/// impostor (FP) pairs scoring at least that much;</item>
/// <item><c>drop_intermediate=True</c>: a candidate is dropped when both second differences of the
/// FP and TP counts around it are zero (it sits in the middle of a run of equal steps); the first and last
/// candidates always stay;</item>
/// <item>a leading (0, 0) point whose threshold is the top score + 1 (scikit-learn before 1.3 used this;
/// later versions use +inf, which JSON cannot hold; the rates are the same).</item>
/// </list>
/// Rates are fractions: FAR = FP / impostors, TAR = TP / genuine pairs. Building costs one sort of the
/// scores (impostor scores sorted in parallel runs, then merged while walking), no per-threshold pass.
/// </summary>
public sealed class BinaryRoc
{
    /// <summary>A curve point as counts: pairs accepted at a threshold.</summary>
    private readonly record struct Vertex(long FalsePositives, long TruePositives, double Threshold);

    // Float32 scores of millions of pairs tie often enough that the curve keeps a large fraction of them as
    // points (about 4 million of IJB-C's 15.7 million pairs on random features), so the points are stored in
    // fixed-size chunks: no doubling copies while walking, no final copy.
    private const int ChunkBits = 16;
    private const int ChunkMask = (1 << ChunkBits) - 1;

    private readonly List<Vertex[]> _chunks;
    private readonly long _genuine;
    private readonly long _impostors;

    private BinaryRoc(List<Vertex[]> chunks, int count)
    {
        _chunks = chunks;
        Count = count;
        var last = At(count - 1);
        _genuine = last.TruePositives;
        _impostors = last.FalsePositives;
    }

    private Vertex At(int index) => _chunks[index >> ChunkBits][index & ChunkMask];

    /// <summary>Number of points on the curve, the leading (0, 0) included.</summary>
    public int Count { get; }

    /// <summary>Number of genuine (same-identity) pairs.</summary>
    public long Genuine => _genuine;

    /// <summary>Number of impostor pairs.</summary>
    public long Impostors => _impostors;

    /// <summary>False-accept rate (fraction) of point <paramref name="index"/>.</summary>
    public double Far(int index) => (double)At(CheckIndex(index)).FalsePositives / _impostors;

    /// <summary>True-accept rate (fraction) of point <paramref name="index"/>.</summary>
    public double Tar(int index) => (double)At(CheckIndex(index)).TruePositives / _genuine;

    /// <summary>Score threshold of point <paramref name="index"/> (pairs scoring at least this are accepted).</summary>
    public double Threshold(int index) => At(CheckIndex(index)).Threshold;

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"the curve has {Count} points");

    /// <summary>Point <paramref name="index"/> as a <see cref="RocPoint"/>.</summary>
    public RocPoint Point(int index) => new(Threshold(index), Far(index), Tar(index));

    /// <summary>
    /// Builds the curve from per-pair scores and labels (true = genuine). Both classes must be present and
    /// no score may be NaN.
    /// </summary>
    public static BinaryRoc FromScores(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isGenuine)
    {
        if (scores.Length != isGenuine.Length)
            throw new ArgumentException($"{scores.Length} scores for {isGenuine.Length} labels");
        int genuineCount = 0;
        foreach (bool g in isGenuine) if (g) genuineCount++;
        var genuine = new float[genuineCount];
        var impostor = new float[scores.Length - genuineCount];
        int gi = 0, ii = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (float.IsNaN(s)) throw new ArgumentException($"score {i} is NaN");
            if (isGenuine[i]) genuine[gi++] = s; else impostor[ii++] = s;
        }
        return FromClassScores(genuine, impostor, sortInPlace: true);
    }

    /// <summary>
    /// Builds the curve from the genuine and the impostor scores given separately. With
    /// <paramref name="sortInPlace"/> the arrays are reordered (sorted, the impostors in runs) instead of copied.
    /// </summary>
    public static BinaryRoc FromClassScores(float[] genuine, float[] impostor, bool sortInPlace = false)
    {
        if (genuine.Length == 0) throw new ArgumentException("the ROC needs at least one genuine pair");
        if (impostor.Length == 0) throw new ArgumentException("the ROC needs at least one impostor pair");
        if (!sortInPlace)
        {
            genuine = (float[])genuine.Clone();
            impostor = (float[])impostor.Clone();
        }
        if (HasNaN(genuine) || HasNaN(impostor))
            throw new ArgumentException("scores must not be NaN");

        Array.Sort(genuine);
        var runs = SortInRuns(impostor);
        return Walk(genuine, impostor, runs);
    }

    private static bool HasNaN(float[] values)
    {
        foreach (float v in values) if (float.IsNaN(v)) return true;
        return false;
    }

    /// <summary>
    /// Sorts <paramref name="values"/> ascending as a few contiguous runs sorted in parallel (the walk merges
    /// them); one run when the array is small.
    /// </summary>
    private static (int Start, int End)[] SortInRuns(float[] values)
    {
        int runCount = values.Length < 1 << 20 ? 1 : Math.Clamp(Environment.ProcessorCount, 1, 4);
        var runs = new (int, int)[runCount];
        for (int r = 0; r < runCount; r++)
            runs[r] = ((int)((long)values.Length * r / runCount), (int)((long)values.Length * (r + 1) / runCount));
        Parallel.For(0, runCount, r => Array.Sort(values, runs[r].Item1, runs[r].Item2 - runs[r].Item1));
        return runs;
    }

    /// <summary>
    /// Walks the distinct scores from the highest down, counting genuine and impostor pairs at or above each,
    /// and applies scikit-learn's drop_intermediate rule on the fly (a candidate is decided once its successor
    /// is known).
    /// </summary>
    private static BinaryRoc Walk(float[] genuine, float[] impostor, (int Start, int End)[] runs)
    {
        // Slot 0 is the origin, filled in at the end once the top score is known.
        var chunks = new List<Vertex[]> { new Vertex[1 << ChunkBits] };
        int count = 1;

        // Cursors point one past the next element to take (walking each ascending run from its end).
        int g = genuine.Length;
        var cursors = new int[runs.Length];
        for (int r = 0; r < runs.Length; r++) cursors[r] = runs[r].End;

        long fp = 0, tp = 0, candidates = 0;
        (long Fp, long Tp, double T) previous = default, pending = default;
        while (true)
        {
            // The next threshold: the largest remaining score of any class.
            bool any = false;
            float t = float.NegativeInfinity;
            if (g > 0) { t = genuine[g - 1]; any = true; }
            for (int r = 0; r < runs.Length; r++)
                if (cursors[r] > runs[r].Start && (!any || impostor[cursors[r] - 1] > t)) { t = impostor[cursors[r] - 1]; any = true; }
            if (!any) break;

            while (g > 0 && genuine[g - 1] == t) { g--; tp++; }
            for (int r = 0; r < runs.Length; r++)
                while (cursors[r] > runs[r].Start && impostor[cursors[r] - 1] == t) { cursors[r]--; fp++; }

            var current = (fp, tp, (double)t);
            candidates++;
            if (candidates == 1)
            {
                Add(current);
                previous = current;
            }
            else if (candidates == 2)
            {
                pending = current;
            }
            else
            {
                // Keep the pending candidate unless it lies in a run of equal steps in both counts.
                if (current.fp - 2 * pending.Fp + previous.Fp != 0 || current.tp - 2 * pending.Tp + previous.Tp != 0)
                    Add(pending);
                previous = pending;
                pending = current;
            }
        }
        if (candidates >= 2) Add(pending);

        chunks[0][0] = new Vertex(0, 0, chunks[0][1].Threshold + 1);
        return new BinaryRoc(chunks, count);

        void Add((long Fp, long Tp, double T) point)
        {
            if ((count & ChunkMask) == 0 && count > 0) chunks.Add(new Vertex[1 << ChunkBits]);
            chunks[count >> ChunkBits][count & ChunkMask] = new Vertex(point.Fp, point.Tp, point.T);
            count++;
        }
    }

    /// <summary>
    /// TAR at <paramref name="targetFar"/> by eval_ijbc.py's rule: the curve point whose FAR is nearest to the
    /// target (|FAR - target| smallest, computed in double); among equally near points the one the reference's
    /// reversed-curve argmin finds first, i.e. the last one in this (ascending) order, which has the highest TAR.
    /// No interpolation.
    /// </summary>
    public TarAtFarPoint TarAtFarNearest(double targetFar)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int i = 0; i < Count; i++)
        {
            double distance = Math.Abs(Far(i) - targetFar);
            if (distance <= bestDistance) (best, bestDistance) = (i, distance);
        }
        return new TarAtFarPoint(targetFar, Far(best), Tar(best), Threshold(best));
    }

    /// <summary>Area under the curve by the trapezoidal rule over all points (sklearn.metrics.auc).</summary>
    public double Auc()
    {
        double area = 0;
        for (int i = 1; i < Count; i++)
            area += (Far(i) - Far(i - 1)) * (Tar(i) + Tar(i - 1)) / 2;
        return area;
    }

    /// <summary>
    /// At most <paramref name="maxPoints"/> points of the curve for plotting on a logarithmic FAR axis (see
    /// <see cref="RocSampling.LogSpacedIndices"/>).
    /// </summary>
    public IReadOnlyList<RocPoint> Points(int maxPoints = 1000) =>
        RocSampling.LogSpacedIndices(Count, Far, maxPoints).Select(Point).ToArray();
}
