using PocketNet.Training.Loading;

namespace PocketNet.Distributed.Tests;

/// <summary>DistributedSampler semantics: one permutation everywhere, disjoint padded shares, layout-free flips.</summary>
public sealed class DistributedSamplerTests
{
    [Fact]
    public void RanksTogetherReadWhatOneProcessWithTheGlobalBatchReads()
    {
        const int count = 64, batch = 8, world = 4;
        int[] single = DistributedSampler.Single.Share(count, seed: 3, epoch: 2);
        int[][] shares = Enumerable.Range(0, world).Select(r => new DistributedSampler(r, world).Share(count, 3, 2)).ToArray();
        Assert.Equal(single, DistributedSampler.Permutation(count, 3, 2));
        for (int step = 0; step < count / (batch * world); step++)
        {
            var together = shares.SelectMany(s => s.Skip(step * batch).Take(batch)).Order();
            Assert.Equal(single.Skip(step * batch * world).Take(batch * world).Order(), together);
        }
        Assert.Equal(count, shares.SelectMany(s => s).Distinct().Count()); // disjoint, and every sample read once
    }

    [Fact]
    public void SharesArePaddedToEqualSizeFromTheHeadOfThePermutation()
    {
        int[] order = DistributedSampler.Permutation(10, 1, 0);
        int[][] shares = Enumerable.Range(0, 4).Select(r => new DistributedSampler(r, 4).Share(10, 1, 0)).ToArray();
        Assert.All(shares, s => Assert.Equal(3, s.Length));
        Assert.Equal([order[2], order[6], order[0]], shares[2]); // positions 2, 6, then 10 wraps to 0
        Assert.Equal(order, Enumerable.Range(0, 10).Select(p => shares[p % 4][p / 4]));
    }

    [Fact]
    public void ThePermutationDependsOnSeedAndEpochOnlyAndFlipsOnTheSampleIndex()
    {
        Assert.Equal(DistributedSampler.Permutation(100, 5, 1), DistributedSampler.Permutation(100, 5, 1));
        Assert.NotEqual(DistributedSampler.Permutation(100, 5, 1), DistributedSampler.Permutation(100, 5, 2));
        Assert.NotEqual(DistributedSampler.Permutation(100, 5, 1), DistributedSampler.Permutation(100, 6, 1));
        Assert.Equal(Enumerable.Range(0, 100), DistributedSampler.Permutation(100, 5, 1).Order());
        bool[] flips = Enumerable.Range(0, 1000).Select(i => DistributedSampler.Flip(5, 1, i)).ToArray();
        Assert.InRange(flips.Count(f => f), 430, 570); // a fair coin
        Assert.NotEqual(flips, Enumerable.Range(0, 1000).Select(i => DistributedSampler.Flip(5, 2, i)));
    }
}
