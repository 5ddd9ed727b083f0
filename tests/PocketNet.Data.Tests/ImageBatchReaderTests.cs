using PocketNet.Data.Imaging;

namespace PocketNet.Data.Tests;

public class ImageBatchReaderTests
{
    /// <summary>Image i is filled with the value i; image <see cref="failAt"/> throws.</summary>
    private sealed class CountingSource(int count, int failAt = -1) : IImageSource
    {
        private int _reads;
        public string Name => "counting";
        public bool IsSynthetic => true;
        public int Count => count;
        public int ImageSize => 4;
        public int Reads => _reads;
        public string Describe(int index) => $"image {index}";

        public void ReadImage(int index, Span<float> destination)
        {
            Interlocked.Increment(ref _reads);
            if (index == failAt) throw new InvalidDataException($"image {index} is broken");
            destination.Fill(index);
        }
    }

    [Fact]
    public void BatchesComeInOrderWithTheirImages()
    {
        var source = new CountingSource(23);
        var starts = new List<int>();
        foreach (ImageBatch batch in ImageBatchReader.Read(source, batchSize: 5, prefetch: 3, maxDegreeOfParallelism: 4))
        {
            starts.Add(batch.Start);
            Assert.Equal(Math.Min(5, 23 - batch.Start), batch.Count);
            for (int i = 0; i < batch.Count; i++) Assert.All(batch.Image(i).ToArray(), v => Assert.Equal(batch.Start + i, v));
        }
        Assert.Equal([0, 5, 10, 15, 20], starts);

        var range = ImageBatchReader.Read(source, batchSize: 4, start: 6, count: 7).Select(b => (b.Start, b.Count)).ToList();
        Assert.Equal([(6, 4), (10, 3)], range);
        Assert.Empty(ImageBatchReader.Read(source, 4, start: 23));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageBatchReader.Read(source, 4, start: 20, count: 10));

        var destination = new float[3 * 16 * 2];
        ImageBatchReader.ReadInto(source, 7, 2, destination);
        Assert.Equal(7, destination[0]);
        Assert.Equal(8, destination[^1]);
    }

    [Fact]
    public void AFailingImageSurfacesFromTheEnumeration()
    {
        var source = new CountingSource(40, failAt: 17);
        var seen = new List<int>();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (ImageBatch batch in ImageBatchReader.Read(source, batchSize: 8)) seen.Add(batch.Start);
        });
        Assert.Contains("image 17", e.Message);
        Assert.Equal([0, 8], seen);
    }

    [Fact]
    public void StoppingEarlyStopsTheReader()
    {
        var source = new CountingSource(10_000);
        ImageBatch first = ImageBatchReader.Read(source, batchSize: 10, prefetch: 2).First();
        Assert.Equal(0, first.Start);
        Thread.Sleep(100);
        Assert.True(source.Reads < 200, $"{source.Reads} images were read for one batch");

        using var cancel = new CancellationTokenSource();
        var enumeration = ImageBatchReader.Read(source, batchSize: 10, cancellation: cancel.Token).GetEnumerator();
        Assert.True(enumeration.MoveNext());
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => { while (enumeration.MoveNext()) { } });
        enumeration.Dispose();
    }
}
