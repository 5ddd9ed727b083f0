using PocketNet.Training.Loading;

namespace PocketNet.Training.Tests.Loading;

public sealed class BatchLoaderTests
{
    [Fact]
    public void AnEpochsOrderAndFlipsAreTheSameInEveryProcess()
    {
        // Recorded once; a seed derived from a per-process hash (as HashCode.Combine is) changes it on every run,
        // and a run resumed by a new process would then see other batches than the run it continues.
        var loader = new BatchLoader(PatternFaces.TrainingSet(identities: 2, imagesPerIdentity: 5, seed: 1), batchSize: 2, seed: 3);
        var (order, flips) = loader.Plan(epoch: 1);
        Assert.Equal(string.Join(",", RecordedOrder), string.Join(",", order));
        Assert.Equal(string.Join(",", RecordedFlips), string.Join(",", flips));
    }

    private static readonly int[] RecordedOrder = [7, 9, 3, 0, 8, 1, 5, 4, 2, 6];
    private static readonly bool[] RecordedFlips = [true, true, false, false, true, true, false, false, false, true];
}
