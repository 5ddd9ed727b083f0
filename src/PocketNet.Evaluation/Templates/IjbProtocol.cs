using System.Numerics.Tensors;
using PocketNet.Evaluation.Metrics;

namespace PocketNet.Evaluation.Templates;

/// <summary>
/// IJB-B / IJB-C 1:1 template verification (eval_ijbc.py): pair score = cosine similarity of the two
/// normalised template features (<see cref="TemplatePooling"/>); ROC as sklearn's roc_curve; TAR at FAR
/// 1e-6 ... 1e-1 taken at the ROC point whose FAR is nearest to the target (no interpolation).
/// </summary>
public static class IjbProtocol
{
    /// <summary>The FAR targets of the reference's table: 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1.</summary>
    public static IReadOnlyList<double> FarTargets { get; } = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];

    /// <summary>
    /// Pairs per parallel work item. Within a block the pairs are visited in order of their second template (a
    /// counting sort), so the second templates stream through memory in order while the first templates, which
    /// the IJB lists group together, stay in cache; random second templates would otherwise make scoring bound
    /// by memory latency (about 2x slower on the 2-core reference machine).
    /// </summary>
    private const int PairBlock = 1 << 18;

    /// <summary>
    /// Cosine score of every pair (dot product of the normalised templates), computed in parallel blocks.
    /// Memory: the result array and ~3 MiB of scratch per worker. Throws <see cref="KeyNotFoundException"/>
    /// naming the first pair whose template has no feature (the reference would silently use template row 0).
    /// </summary>
    public static float[] Score(TemplateFeatures templates, int[] template1, int[] template2, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(templates);
        if (template1.Length != template2.Length)
            throw new ArgumentException($"{template1.Length} first templates but {template2.Length} second templates");
        int pairs = template1.Length;
        var scores = new float[pairs];
        int dimension = templates.Dimension;
        int rows = templates.Count;
        float[] data = templates.Data;
        int blocks = (pairs + PairBlock - 1) / PairBlock;
        int anyMissing = 0;

        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellation },
            () => new Scratch(Math.Min(PairBlock, pairs), rows),
            (block, state, scratch) =>
            {
                int start = block * PairBlock, count = Math.Min(pairs, start + PairBlock) - start;
                int[] first = scratch.First, second = scratch.Second, order = scratch.Order, slots = scratch.Slots;
                for (int i = 0; i < count; i++)
                {
                    int a = templates.RowOf(template1[start + i]), b = templates.RowOf(template2[start + i]);
                    if (a < 0 || b < 0)
                    {
                        Volatile.Write(ref anyMissing, 1);
                        state.Stop();
                        return scratch;
                    }
                    first[i] = a;
                    second[i] = b;
                }

                // Counting sort of the block's pairs by second template row.
                Array.Clear(slots);
                for (int i = 0; i < count; i++) slots[second[i] + 1]++;
                for (int r = 0; r < rows; r++) slots[r + 1] += slots[r];
                for (int i = 0; i < count; i++) order[slots[second[i]]++] = i;

                for (int j = 0; j < count; j++)
                {
                    int i = order[j];
                    scores[start + i] = TensorPrimitives.Dot(
                        new ReadOnlySpan<float>(data, first[i] * dimension, dimension),
                        new ReadOnlySpan<float>(data, second[i] * dimension, dimension));
                }
                return scratch;
            },
            _ => { });

        if (anyMissing != 0)
        {
            // Name the lowest-numbered offending pair (blocks stop in any order, so rescan serially).
            for (int i = 0; i < pairs; i++)
            {
                int missing = templates.RowOf(template1[i]) < 0 ? template1[i] : templates.RowOf(template2[i]) < 0 ? template2[i] : 0;
                if (templates.RowOf(template1[i]) < 0 || templates.RowOf(template2[i]) < 0)
                    throw new KeyNotFoundException($"pair {i} ({template1[i]}, {template2[i]}) refers to template {missing}, which has no features");
            }
        }
        return scores;
    }

    /// <summary>ROC, AUC and TAR at <paramref name="farTargets"/> (default <see cref="FarTargets"/>) of scored pairs.</summary>
    public static IjbResult Evaluate(string benchmark, ReadOnlySpan<float> scores, ReadOnlySpan<bool> isGenuine,
        IReadOnlyList<double>? farTargets = null, int maxRocPoints = 1000)
    {
        var roc = BinaryRoc.FromScores(scores, isGenuine);
        var targets = farTargets ?? FarTargets;
        return new IjbResult(
            benchmark,
            scores.Length,
            (int)roc.Genuine,
            (int)roc.Impostors,
            targets.Select(roc.TarAtFarNearest).ToArray(),
            roc.Auc(),
            roc.Count,
            roc.Points(maxRocPoints));
    }

    /// <summary>
    /// Scores the pairs (<c>template1[i]</c>, <c>template2[i]</c>) with <paramref name="templates"/> and evaluates them
    /// against the labels (<c>&lt;name&gt;_template_pair_label.txt</c>; PocketNet.Data's IJB reader gives the three arrays).
    /// </summary>
    public static IjbResult Run(string benchmark, TemplateFeatures templates, int[] template1, int[] template2, bool[] isGenuine,
        IReadOnlyList<double>? farTargets = null, int maxRocPoints = 1000, CancellationToken cancellation = default)
    {
        if (isGenuine.Length != template1.Length)
            throw new ArgumentException($"{isGenuine.Length} labels for {template1.Length} pairs");
        float[] scores = Score(templates, template1, template2, cancellation);
        return Evaluate(benchmark, scores, isGenuine, farTargets, maxRocPoints);
    }

    /// <summary>Per-worker buffers of <see cref="Score"/>.</summary>
    private sealed class Scratch(int pairs, int rows)
    {
        public readonly int[] First = new int[pairs];
        public readonly int[] Second = new int[pairs];
        public readonly int[] Order = new int[pairs];
        public readonly int[] Slots = new int[rows + 1];
    }
}
