using System.Numerics;
using System.Runtime.CompilerServices;

namespace PocketNet.Evaluation.Identification;

/// <summary>
/// Scores every probe against a stream of distractor blocks without keeping the scores: per probe the
/// largest distractor score (rank-1), the largest impostor scores overall (a bounded heap per worker, for
/// TAR at small FAR) and a histogram of all impostor scores (for plotting the ROC at larger FAR).
/// <para>
/// The inner kernel is a register-blocked product: 4 probes x (2 x Vector&lt;float&gt;.Count) distractors per
/// tile, distractors transposed so that vectors run along distractors and each probe value is broadcast.
/// Every score is accumulated as a chain of fused multiply-adds over the feature index, the same arithmetic
/// as <see cref="Dot"/>, so probe-probe and probe-distractor scores are comparable bit for bit.
/// </para>
/// </summary>
internal sealed class DistractorScanner
{
    private const int ProbeRowsPerTile = 4;
    // Probe rows streamed per distractor tile: 256 rows of 128 floats = 128 KiB, about an L2 cache.
    private const int ProbeQuadsPerChunk = 64;

    private static readonly int Lanes = Vector<float>.Count;
    public static readonly int TileColumns = 2 * Vector<float>.Count;

    private readonly float[] _probes; // normalised, rows padded to a multiple of 4 with zeros
    private readonly int _probeCount;
    private readonly int _dimension;
    private readonly Worker[] _workers;
    private readonly int _histogramBins;
    private readonly long[] _histogram;

    public DistractorScanner(float[] normalizedProbes, int probeCount, int dimension, int workers, int topCapacity, int histogramBins)
    {
        _probeCount = probeCount;
        _dimension = dimension;
        int padded = (probeCount + ProbeRowsPerTile - 1) / ProbeRowsPerTile * ProbeRowsPerTile;
        _probes = new float[padded * dimension];
        normalizedProbes.AsSpan(0, probeCount * dimension).CopyTo(_probes);
        _histogramBins = histogramBins;
        _histogram = new long[histogramBins];
        _workers = new Worker[workers];
        for (int w = 0; w < workers; w++) _workers[w] = new Worker(probeCount, topCapacity, histogramBins);
    }

    /// <summary>Sequential fused-multiply-add dot product: the arithmetic of every lane of the kernel.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int k = 0; k < a.Length; k++) sum = MathF.FusedMultiplyAdd(a[k], b[k], sum);
        return sum;
    }

    /// <summary>
    /// Index in a packed block of value <paramref name="k"/> of distractor <paramref name="column"/>: the block is a
    /// sequence of tiles of TileColumns distractors, each tile [Dimension x TileColumns] row-major, so one tile's
    /// values are contiguous (a plain [Dimension x block] transpose would touch one page per feature value).
    /// </summary>
    public static int PackedIndex(int column, int k, int dimension) =>
        (column / TileColumns) * dimension * TileColumns + k * TileColumns + column % TileColumns;

    /// <summary>
    /// Scores one block: <paramref name="packed"/> holds <paramref name="columns"/> normalised distractors laid out
    /// as <see cref="PackedIndex"/> says (lanes past <paramref name="columns"/> in the last tile are ignored).
    /// </summary>
    public void ScanBlock(float[] packed, int columns)
    {
        int tiles = (columns + TileColumns - 1) / TileColumns;
        int workers = _workers.Length;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            int first = (int)((long)tiles * w / workers), last = (int)((long)tiles * (w + 1) / workers);
            if (first < last) ScanTiles(_workers[w], packed, columns, first, last);
        });

        // Fold the per-block int histograms into the total (an int bin cannot overflow within one block of
        // BlockSize x probes scores as long as that stays below 2^31).
        foreach (var worker in _workers)
        {
            for (int b = 0; b < _histogramBins; b++) _histogram[b] += worker.Histogram[b];
            Array.Clear(worker.Histogram);
        }
    }

    /// <summary>Largest distractor score of each probe (-inf without distractors).</summary>
    public float[] MaxDistractorScores()
    {
        var max = new float[_probeCount];
        Array.Fill(max, float.NegativeInfinity);
        foreach (var worker in _workers)
            for (int p = 0; p < _probeCount; p++)
            {
                float m = worker.MaxScalar[p];
                var v = worker.MaxVector[p];
                for (int l = 0; l < Lanes; l++) m = Math.Max(m, v[l]);
                max[p] = Math.Max(max[p], m);
            }
        return max;
    }

    /// <summary>
    /// The kept top impostor scores (descending) and the score above which they are complete: every impostor
    /// score strictly greater than <c>Floor</c> is among them (-inf when no score was ever dropped). A worker that
    /// saw more scores than its heap holds has dropped only scores at or below its heap's smallest.
    /// </summary>
    public (float[] Scores, float Floor) TopImpostorScores()
    {
        float floor = float.NegativeInfinity;
        var all = new List<float>();
        foreach (var worker in _workers)
        {
            if (worker.Seen > worker.Top.Capacity) floor = Math.Max(floor, worker.Top.Floor);
            foreach (float s in worker.Top.Items) all.Add(s);
        }
        var scores = all.Where(s => s > floor).ToArray();
        Array.Sort(scores);
        Array.Reverse(scores);
        return (scores, floor);
    }

    /// <summary>Histogram of all impostor scores: bin b counts scores s with floor((s + 1) * bins / 2) = b (clamped).</summary>
    public long[] Histogram => _histogram;

    // Fully optimised from the first call: the method runs a few times per block with long loops, which tiered
    // compilation would leave in on-stack-replacement code that spills the accumulators every iteration.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ScanTiles(Worker worker, float[] packed, int columns, int firstTile, int lastTile)
    {
        int dimension = _dimension;
        int quads = (_probeCount + ProbeRowsPerTile - 1) / ProbeRowsPerTile;
        // The tile's scores leave the registers through this buffer: consuming them in a separate (not inlined)
        // method keeps the accumulator loop free of register spills.
        Vector<float>* tile = stackalloc Vector<float>[2 * ProbeRowsPerTile];
        fixed (float* probes = _probes)
        fixed (float* dt = packed)
        {
            for (int q0 = 0; q0 < quads; q0 += ProbeQuadsPerChunk)
            {
                int q1 = Math.Min(quads, q0 + ProbeQuadsPerChunk);
                for (int t = firstTile; t < lastTile; t++)
                {
                    int column = t * TileColumns;
                    int valid = Math.Min(TileColumns, columns - column);
                    float* d = dt + (long)t * dimension * TileColumns;
                    for (int q = q0; q < q1; q++)
                    {
                        float* p0 = probes + q * ProbeRowsPerTile * dimension;
                        float* p1 = p0 + dimension, p2 = p1 + dimension, p3 = p2 + dimension;
                        Vector<float> a00 = default, a01 = default, a10 = default, a11 = default;
                        Vector<float> a20 = default, a21 = default, a30 = default, a31 = default;
                        float* dk = d;
                        for (int k = 0; k < dimension; k++, dk += TileColumns)
                        {
                            var d0 = Vector.Load(dk);
                            var d1 = Vector.Load(dk + Lanes);
                            var b0 = new Vector<float>(p0[k]);
                            a00 = Vector.FusedMultiplyAdd(b0, d0, a00);
                            a01 = Vector.FusedMultiplyAdd(b0, d1, a01);
                            var b1 = new Vector<float>(p1[k]);
                            a10 = Vector.FusedMultiplyAdd(b1, d0, a10);
                            a11 = Vector.FusedMultiplyAdd(b1, d1, a11);
                            var b2 = new Vector<float>(p2[k]);
                            a20 = Vector.FusedMultiplyAdd(b2, d0, a20);
                            a21 = Vector.FusedMultiplyAdd(b2, d1, a21);
                            var b3 = new Vector<float>(p3[k]);
                            a30 = Vector.FusedMultiplyAdd(b3, d0, a30);
                            a31 = Vector.FusedMultiplyAdd(b3, d1, a31);
                        }
                        tile[0] = a00;
                        tile[1] = a01;
                        tile[2] = a10;
                        tile[3] = a11;
                        tile[4] = a20;
                        tile[5] = a21;
                        tile[6] = a30;
                        tile[7] = a31;
                        worker.ConsumeTile(q * ProbeRowsPerTile, _probeCount, tile, valid);
                    }
                }
            }
        }
    }

    /// <summary>One worker's running state; touched by that worker only until the block ends.</summary>
    private sealed class Worker
    {
        public readonly Vector<float>[] MaxVector;
        public readonly float[] MaxScalar;
        public readonly TopScoreHeap Top;
        public readonly int[] Histogram;
        public long Seen;
        private readonly Vector<float> _scale;
        private readonly Vector<int> _lastBin;
        private float _floor = float.NegativeInfinity;

        public Worker(int probes, int topCapacity, int bins)
        {
            MaxVector = new Vector<float>[probes];
            Array.Fill(MaxVector, new Vector<float>(float.NegativeInfinity));
            MaxScalar = new float[probes];
            Array.Fill(MaxScalar, float.NegativeInfinity);
            Top = new TopScoreHeap(topCapacity);
            Histogram = new int[bins];
            _scale = new Vector<float>(bins * 0.5f);
            _lastBin = new Vector<int>(bins - 1);
        }

        /// <summary>Takes the scores of up to 4 probes (rows past <paramref name="probeCount"/> are padding) x one tile.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public unsafe void ConsumeTile(int firstProbe, int probeCount, Vector<float>* tile, int valid)
        {
            int rows = Math.Min(ProbeRowsPerTile, probeCount - firstProbe);
            for (int r = 0; r < rows; r++) Consume(firstProbe + r, tile[2 * r], tile[2 * r + 1], valid);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Consume(int probe, Vector<float> s0, Vector<float> s1, int valid)
        {
            Seen += valid;
            if (valid == 2 * Lanes)
            {
                MaxVector[probe] = Vector.Max(MaxVector[probe], Vector.Max(s0, s1));
                var floor = new Vector<float>(_floor);
                if (Vector.GreaterThanAny(s0, floor) || Vector.GreaterThanAny(s1, floor))
                {
                    for (int l = 0; l < Lanes; l++) Offer(s0[l]);
                    for (int l = 0; l < Lanes; l++) Offer(s1[l]);
                }
                Count(s0);
                Count(s1);
            }
            else
            {
                // The block's last, partly filled tile: padding lanes must not count.
                for (int l = 0; l < valid; l++)
                {
                    float s = l < Lanes ? s0[l] : s1[l - Lanes];
                    MaxScalar[probe] = Math.Max(MaxScalar[probe], s);
                    Offer(s);
                    float scaled = (s + 1) * _scale[0];
                    int bin = float.IsNaN(scaled) ? 0 : (int)Math.Clamp(scaled, 0f, _lastBin[0]);
                    Histogram[bin]++;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Offer(float score)
        {
            if (score <= _floor) return;
            Top.Offer(score);
            _floor = Top.Floor;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Count(Vector<float> scores)
        {
            var bins = Vector.ConvertToInt32((scores + Vector<float>.One) * _scale);
            bins = Vector.Min(Vector.Max(bins, Vector<int>.Zero), _lastBin);
            for (int l = 0; l < Lanes; l++) Histogram[bins[l]]++;
        }
    }
}
