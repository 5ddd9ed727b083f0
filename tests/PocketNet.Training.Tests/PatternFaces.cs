using PocketNet.Data.Pairs;
using PocketNet.Data.Training;

namespace PocketNet.Training.Tests;

/// <summary>
/// Tiny generated data for trainer tests (not SynthFaces): each identity is a smooth random colour
/// pattern (a coarse 4 x 4 grid, bilinearly enlarged); each image of it adds a small random shift in
/// brightness and per-pixel noise. Deterministic in the seed.
/// </summary>
internal static class PatternFaces
{
    public const int Size = 112;

    public static InMemoryTrainingSet TrainingSet(int identities, int imagesPerIdentity, int seed)
    {
        var random = new Random(seed);
        var images = new List<float[]>();
        var labels = new List<int>();
        for (int id = 0; id < identities; id++)
        {
            float[] pattern = Pattern(random);
            for (int k = 0; k < imagesPerIdentity; k++)
            {
                images.Add(Variation(pattern, random));
                labels.Add(id);
            }
        }
        return new InMemoryTrainingSet("pattern faces (generated)", images, labels, Size, isSynthetic: true);
    }

    /// <summary>Pairs of identities disjoint from training ones: even pairs same identity, odd pairs different.</summary>
    public static PairSet Pairs(int pairs, int seed)
    {
        var random = new Random(seed);
        var images = new List<float[]>();
        var same = new List<bool>();
        for (int i = 0; i < pairs; i++)
        {
            float[] a = Pattern(random);
            bool isSame = i % 2 == 0;
            float[] b = isSame ? a : Pattern(random);
            images.Add(Variation(a, random));
            images.Add(Variation(b, random));
            same.Add(isSame);
        }
        return new PairSet("pattern pairs (generated)", images, same, Size, isSynthetic: true);
    }

    private static float[] Pattern(Random random)
    {
        const int grid = 4;
        var coarse = new float[3 * grid * grid];
        for (int i = 0; i < coarse.Length; i++) coarse[i] = (float)(random.NextDouble() * 1.6 - 0.8);
        var image = new float[3 * Size * Size];
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < Size; y++)
        for (int x = 0; x < Size; x++)
        {
            double gy = (double)y / (Size - 1) * (grid - 1), gx = (double)x / (Size - 1) * (grid - 1);
            int y0 = Math.Min((int)gy, grid - 2), x0 = Math.Min((int)gx, grid - 2);
            double fy = gy - y0, fx = gx - x0;
            double v = (1 - fy) * ((1 - fx) * coarse[(c * grid + y0) * grid + x0] + fx * coarse[(c * grid + y0) * grid + x0 + 1])
                     + fy * ((1 - fx) * coarse[(c * grid + y0 + 1) * grid + x0] + fx * coarse[(c * grid + y0 + 1) * grid + x0 + 1]);
            image[(c * Size + y) * Size + x] = (float)v;
        }
        return image;
    }

    private static float[] Variation(float[] pattern, Random random)
    {
        float brightness = (float)(random.NextDouble() * 0.2 - 0.1);
        var image = new float[pattern.Length];
        for (int i = 0; i < image.Length; i++)
            image[i] = Math.Clamp(pattern[i] + brightness + (float)(random.NextDouble() * 0.3 - 0.15), -1f, 1f);
        return image;
    }
}
