namespace PocketNet.Training.Loading;

/// <summary>
/// Which share of each epoch one rank reads, with torch.utils.data.DistributedSampler's semantics: every rank
/// computes the same permutation of the set from (seed, epoch), pads it by repeating its head to a multiple of
/// the world size, and rank r takes positions r, r + W, r + 2W, ... So in step s the ranks' batches together
/// are positions [s·W·B, (s+1)·W·B) of the permutation: exactly the batch one process with batch W·B reads.
/// Random draws (the flips) depend only on (seed, epoch, sample index), never on rank or batch layout.
/// </summary>
public sealed record DistributedSampler(int Rank, int WorldSize)
{
    public static DistributedSampler Single { get; } = new(0, 1);

    /// <summary>Samples per rank per epoch (the padded share).</summary>
    public int ShareSize(int count) => (count + WorldSize - 1) / WorldSize;

    /// <summary>This rank's sample indices of an epoch, in the order it reads them.</summary>
    public int[] Share(int count, int seed, int epoch)
    {
        int[] order = Permutation(count, seed, epoch);
        int share = ShareSize(count);
        var mine = new int[share];
        for (int i = 0; i < share; i++) mine[i] = order[(Rank + i * WorldSize) % count];
        return mine;
    }

    /// <summary>The epoch's permutation, the same in every process (Fisher–Yates driven by SplitMix64, not by a per-process hash).</summary>
    public static int[] Permutation(int count, int seed, int epoch)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        ulong state = Mix((ulong)(uint)seed, (ulong)(uint)epoch, 0x5eedUL);
        for (int i = count - 1; i > 0; i--)
        {
            state = SplitMix64(state);
            int j = (int)(state % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Whether sample <paramref name="index"/> is mirrored in <paramref name="epoch"/>: a coin from (seed, epoch, index) alone.</summary>
    public static bool Flip(int seed, int epoch, int index) => (SplitMix64(Mix((ulong)(uint)seed, (ulong)(uint)epoch, 0xf11bUL ^ ((ulong)(uint)index << 16))) >> 63) == 1;

    private static ulong Mix(ulong a, ulong b, ulong c) => SplitMix64(SplitMix64(SplitMix64(a) ^ b) ^ c);

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
