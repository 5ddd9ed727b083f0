using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace PocketNet.Data.Imaging;

/// <summary>
/// Streams an <see cref="IImageSource"/> in order, a batch at a time: a background task decodes the next
/// batches in parallel (all cores by default) while the caller consumes the current one, so a set of
/// 469,375 IJB-C faces never needs more than a few batches in memory. Order and contents are deterministic;
/// only the decode work is parallel.
/// </summary>
public static class ImageBatchReader
{
    /// <summary>
    /// The batches of <paramref name="source"/> (images <paramref name="start"/> .. start + count - 1, all by
    /// default). <paramref name="prefetch"/> batches are decoded ahead. A failure to read an image is rethrown
    /// from the enumeration (the lowest failing index of its batch). Each batch's buffer is recycled when the
    /// enumeration moves on.
    /// </summary>
    public static IEnumerable<ImageBatch> Read(IImageSource source, int batchSize, int start = 0, int? count = null,
        int prefetch = 2, int? maxDegreeOfParallelism = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        int total = count ?? source.Count - start;
        if (start < 0 || total < 0 || start + total > source.Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"images [{start}, {start + total}) of {source.Count} in {source.Name}");
        return Enumerate(source, batchSize, start, total, prefetch, maxDegreeOfParallelism ?? Environment.ProcessorCount, cancellation);
    }

    /// <summary>Reads images <paramref name="start"/> .. start + count - 1 into <paramref name="destination"/> in parallel.</summary>
    public static void ReadInto(IImageSource source, int start, int count, Span<float> destination, int? maxDegreeOfParallelism = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        int length = 3 * source.ImageSize * source.ImageSize;
        if (destination.Length < (long)count * length)
            throw new ArgumentException($"destination holds {destination.Length} floats, {count} images need {(long)count * length}");
        var buffer = new float[count * length];
        Fill(source, start, count, buffer, maxDegreeOfParallelism ?? Environment.ProcessorCount, cancellation);
        buffer.CopyTo(destination);
    }

    private static IEnumerable<ImageBatch> Enumerate(IImageSource source, int batchSize, int start, int total, int prefetch,
        int parallelism, CancellationToken cancellation)
    {
        if (total == 0) yield break;
        int length = 3 * source.ImageSize * source.ImageSize;
        int batches = (total + batchSize - 1) / batchSize;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // Ready batches wait here; a batch's buffer goes back to the free list when the consumer takes the next one.
        using var ready = new BlockingCollection<(ImageBatch? Batch, ExceptionDispatchInfo? Error)>(Math.Max(1, prefetch));
        using var free = new BlockingCollection<float[]>();
        for (int i = 0; i < prefetch + 2; i++) free.Add(new float[Math.Min(batchSize, total) * length]);

        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = 0; b < batches; b++)
                {
                    int first = start + b * batchSize, n = Math.Min(batchSize, start + total - first);
                    float[] buffer = free.Take(stop.Token);
                    Fill(source, first, n, buffer, parallelism, stop.Token);
                    ready.Add((new ImageBatch(first, n, source.ImageSize, buffer), null), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early or was cancelled: nothing to report.
            }
            catch (Exception e)
            {
                try { ready.Add((null, ExceptionDispatchInfo.Capture(e)), stop.Token); }
                catch (OperationCanceledException) { } // nobody is listening any more
            }
            finally
            {
                ready.CompleteAdding();
            }
        });

        try
        {
            float[]? previous = null;
            foreach (var (batch, error) in ready.GetConsumingEnumerable(cancellation))
            {
                error?.Throw();
                if (previous is not null) free.Add(previous);
                previous = batch!.Data;
                yield return batch;
            }
            cancellation.ThrowIfCancellationRequested();
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); }
            catch (AggregateException) { } // its errors were delivered through the queue
        }
    }

    private static void Fill(IImageSource source, int first, int count, float[] buffer, int parallelism, CancellationToken cancellation)
    {
        int length = 3 * source.ImageSize * source.ImageSize;
        var failures = new ConcurrentBag<(int Index, Exception Error)>();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellation }, (i, state) =>
        {
            try
            {
                source.ReadImage(first + i, buffer.AsSpan(i * length, length));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add((first + i, e));
                state.Stop();
            }
        });
        if (!failures.IsEmpty) ExceptionDispatchInfo.Throw(failures.MinBy(f => f.Index).Error);
    }
}
