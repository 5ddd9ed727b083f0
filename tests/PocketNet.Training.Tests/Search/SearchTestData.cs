using PocketNet.Data.Training;

namespace PocketNet.Training.Tests.Search;

/// <summary>Pattern faces shrunk for the supernet, whose classifier pools the whole final map at any multiple-of-16 input.</summary>
internal static class SearchTestData
{
    public const int Size = 32;

    /// <summary><see cref="PatternFaces"/> images resampled (nearest pixel) to <paramref name="size"/> x <paramref name="size"/>.</summary>
    public static InMemoryTrainingSet Faces(int identities, int imagesPerIdentity, int seed, int size = Size)
    {
        var source = PatternFaces.TrainingSet(identities, imagesPerIdentity, seed);
        int from = source.ImageSize;
        var pixels = new float[3 * from * from];
        var images = new List<float[]>();
        var labels = new List<int>();
        for (int i = 0; i < source.Count; i++)
        {
            source.ReadImage(i, pixels);
            var small = new float[3 * size * size];
            for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sy = (int)((y + 0.5) * from / size), sx = (int)((x + 0.5) * from / size);
                small[(c * size + y) * size + x] = pixels[(c * from + sy) * from + sx];
            }
            images.Add(small);
            labels.Add(source.GetLabel(i));
        }
        return new InMemoryTrainingSet($"pattern faces {size}x{size} (generated)", images, labels, size, isSynthetic: true);
    }
}
