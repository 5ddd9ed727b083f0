using System.Collections.Concurrent;
using PocketNet.Data.Training;
using PocketNet.Torch;

namespace PocketNet.Training.Loading;

/// <summary>One training batch on the training device; disposing it releases both tensors.</summary>
public sealed class Batch(Tensor images, Tensor labels) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public int Size => (int)Labels.NumEl;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Feeds a trainer: each epoch visits the set in a shuffled order (drop-last batches), mirrors each
/// image left-right with probability 1/2, and decodes upcoming batches on background threads while the
/// current one trains. The order and the flips are a pure function of (seed, epoch), so a run resumed
/// at an epoch boundary sees exactly the batches the uninterrupted run saw.
/// </summary>
public sealed class BatchLoader(ITrainingSet set, int batchSize, int seed, bool randomFlip = true, int prefetch = 3)
{
    public int BatchSize { get; } = batchSize > 0 && batchSize <= set.Count
        ? batchSize
        : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be in 1..{set.Count} (the size of {set.Name})");

    public int BatchesPerEpoch => set.Count / BatchSize;

    /// <summary>
    /// The batches of one epoch, from <paramref name="firstBatch"/> on, created on <paramref name="device"/>.
    /// Enumerate it on the training thread: tensors are made there (libtorch's autograd mode and our
    /// dispose scopes are per thread); only decoding happens in the background.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, Device device, int firstBatch = 0, CancellationToken cancellation = default)
    {
        var (order, flips) = Plan(epoch);
        using var queue = new BlockingCollection<(float[] Pixels, long[] Labels)>(prefetch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Task producer = Task.Run(() => Produce(order, flips, firstBatch, queue, stop.Token));
        try
        {
            foreach (var (pixels, labels) in queue.GetConsumingEnumerable(cancellation))
            {
                int size = set.ImageSize;
                yield return new Batch(
                    Tensors.FromSpan<float>(pixels, [labels.Length, 3, size, size], device).DetachFromScope(),
                    Tensors.FromSpan<long>(labels, [labels.Length], device).DetachFromScope());
            }
            producer.GetAwaiter().GetResult(); // surfaces a decoding error
        }
        finally
        {
            stop.Cancel();
            // a decoding error was already rethrown above; here the producer is only drained
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    /// <summary>Image order and flip decisions of an epoch (deterministic in seed and epoch).</summary>
    internal (int[] Order, bool[] Flips) Plan(int epoch)
    {
        var random = new Random(EpochSeed(seed, epoch));
        int[] order = Enumerable.Range(0, set.Count).ToArray();
        random.Shuffle(order);
        bool[] flips = order.Select(_ => randomFlip && random.Next(2) == 1).ToArray();
        return (order, flips);
    }

    /// <summary>
    /// The random seed of an epoch's plan: a fixed mix of seed and epoch, the same in every process. (HashCode.Combine,
    /// used here before, is randomised per process, so a run resumed by a new process saw another order.)
    /// </summary>
    internal static int EpochSeed(int seed, int epoch) => unchecked((int)(((uint)seed * 2654435761u) ^ ((uint)epoch * 40503u + 0x5eedu)));

    private void Produce(int[] order, bool[] flips, int firstBatch, BlockingCollection<(float[], long[])> queue, CancellationToken cancellation)
    {
        int size = set.ImageSize, pixels = 3 * size * size;
        try
        {
            for (int b = firstBatch; b < BatchesPerEpoch; b++)
            {
                var images = new float[BatchSize * pixels];
                var labels = new long[BatchSize];
                Parallel.For(0, BatchSize, new ParallelOptions { CancellationToken = cancellation }, i =>
                {
                    int index = order[b * BatchSize + i];
                    Span<float> image = images.AsSpan(i * pixels, pixels);
                    set.ReadImage(index, image);
                    if (flips[b * BatchSize + i]) MirrorRows(image, size);
                    labels[i] = set.GetLabel(index);
                });
                queue.Add((images, labels), cancellation);
            }
        }
        finally
        {
            queue.CompleteAdding();
        }
    }

    /// <summary>Mirrors each row of each channel of a CHW image in place.</summary>
    internal static void MirrorRows(Span<float> image, int size)
    {
        for (int row = 0; row < image.Length; row += size) image.Slice(row, size).Reverse();
    }
}
