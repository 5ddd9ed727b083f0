using System.Security.Cryptography;
using PocketNet.Data.Alignment;
using PocketNet.Data.Ijb;
using PocketNet.Data.Imaging;
using PocketNet.Data.MegaFace;
using PocketNet.Data.Pairs;
using PocketNet.Data.RecordIO;
using PocketNet.Data.Synth;

namespace PocketNet.Data.Tests;

/// <summary>One small generated set shared by the tests of a class (generation takes about a second).</summary>
public sealed class SynthFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SynthFixture()
    {
        Options = Small(Path.Combine(_temp.Path, "a"), seed: 7);
        var reports = new List<double>();
        Result = SynthFaces.Generate(Options, new SynchronousProgress(reports.Add));
        Progress = reports;
    }

    public static SynthOptions Small(string folder, int seed) => new()
    {
        OutputFolder = folder,
        Seed = seed,
        Identities = 6,
        ImagesPerIdentity = 5,
        PairCount = 40,
        PairSetIdentities = 20,
        IjbSubjects = 3,
        IjbTemplatesPerSubject = 2,
        IjbImpostorPairs = 8,
        MegaFaceProbeIdentities = 2,
        MegaFaceImagesPerProbe = 3,
        MegaFaceDistractors = 8,
    };

    public SynthOptions Options { get; }
    public SynthResult Result { get; }
    public IReadOnlyList<double> Progress { get; }
    public string TempPath => _temp.Path;

    public void Dispose() => _temp.Dispose();

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

public class SynthFacesTests(SynthFixture fixture) : IClassFixture<SynthFixture>
{
    private SynthOptions Options => fixture.Options;
    private SynthResult Result => fixture.Result;

    [Fact]
    public void SameSeedGivesIdenticalBytesAndAnotherSeedDifferentOnes()
    {
        // One rendering thread instead of all: the bytes must not depend on it.
        var again = SynthFaces.Generate(SynthFixture.Small(Path.Combine(fixture.TempPath, "b"), seed: 7) with { MaxDegreeOfParallelism = 1 });
        Dictionary<string, string> first = Hashes(Result.OutputFolder), second = Hashes(again.OutputFolder);
        Assert.True(first.Count > 50, $"only {first.Count} files were written");
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        foreach (var (file, hash) in first) Assert.True(hash == second[file], $"{file} differs between two runs with the same seed");

        // Another seed: other faces everywhere (the IJB layout itself is drawn from the seed, so its file list may differ).
        var other = SynthFaces.Generate(SynthFixture.Small(Path.Combine(fixture.TempPath, "c"), seed: 8));
        Dictionary<string, string> third = Hashes(other.OutputFolder);
        string[] images = first.Keys.Where(third.ContainsKey)
            .Where(k => k.EndsWith(".jpg") || k.EndsWith(".png") || k.EndsWith(".bin") || k.EndsWith(".rec")).ToArray();
        Assert.True(images.Length > 20, $"only {images.Length} image files in common");
        Assert.All(images, file => Assert.NotEqual(first[file], third[file]));
    }

    [Fact]
    public void EveryPartHasTheRequestedCountsAndIsLabelledSynthetic()
    {
        string root = Result.OutputFolder;
        Assert.True(File.Exists(Path.Combine(root, RecordIoDatasetWriter.SyntheticMarkerFileName)));
        string readme = File.ReadAllText(Path.Combine(root, SynthFaces.ReadmeFileName));
        Assert.Contains("SYNTHETIC", readme);
        Assert.Contains("seed                        7", readme);
        Assert.Contains("\"synthetic\": true", File.ReadAllText(Path.Combine(root, SynthFaces.ManifestFileName)));
        Assert.Equal(SynthFaces.CountImages(Options), Result.TotalImages);
        Assert.Equal(1.0, fixture.Progress[^1]);
        Assert.True(fixture.Progress.Zip(fixture.Progress.Skip(1)).All(p => p.First <= p.Second), "progress went backwards");

        using (var train = RecordIoTrainingSet.OpenFolder(Path.Combine(root, SynthFaces.TrainFolderName)))
        {
            Assert.True(train.IsSynthetic);
            Assert.Equal(30, train.Count);
            Assert.Equal(6, train.ClassCount);
            Assert.Equal(Enumerable.Range(0, 30).Select(i => i / 5), Enumerable.Range(0, 30).Select(train.GetLabel));
            Assert.Equal(112, train.DecodeImage(29).Width);
        }

        foreach (string name in SynthFaces.PairSetNames)
        {
            PairSet set = BinPairSetReader.Read(Result.PairSets[name]);
            Assert.Equal(name, set.Name);
            Assert.True(set.IsSynthetic);
            Assert.Equal(40, set.PairCount);
            // 10 folds of 4 pairs: the first half of each fold same, the second half different.
            for (int fold = 0; fold < 10; fold++)
                Assert.Equal([true, true, false, false], set.IsSame.Skip(4 * fold).Take(4));
        }

        IjbDataset ijb = IjbDataset.Open(Result.IjbFolder!);
        Assert.Equal(SynthFaces.IjbName, ijb.Name);
        Assert.True(ijb.IsSynthetic);
        Assert.Equal(Result.IjbImages, ijb.Count);
        Assert.Equal(6, ijb.TemplateCount);
        Assert.Equal(3, ijb.Pairs.GenuineCount);
        Assert.Equal(8, ijb.Pairs.ImpostorCount);
        Assert.Empty(ijb.FindMissingImages());
        Assert.All(ijb.Faces, f => Assert.InRange(f.DetectorScore, 0.7f, 1f));
        // Templates hold 1-3 media of 1-3 images.
        Assert.All(ijb.Faces.GroupBy(f => f.TemplateId), t => Assert.InRange(t.Select(f => f.MediaId).Distinct().Count(), 1, 3));
        Assert.All(ijb.Faces.GroupBy(f => f.MediaId), m => Assert.InRange(m.Count(), 1, 3));

        MegaFaceDataset mega = MegaFaceDataset.Open(Result.MegaFaceFolder!);
        Assert.True(mega.IsSynthetic);
        Assert.Equal(6, mega.Probes.Count);
        Assert.Equal(2, mega.ProbeIdentityCount);
        Assert.Equal(8, mega.Distractors.Count);
        Assert.Empty(mega.FindMissingImages());
        Assert.EndsWith("megaface_features_list.json_8_1", mega.DistractorListPath);
        var pixels = new float[3 * 112 * 112];
        mega.ProbeImages.ReadImage(5, pixels);
        mega.DistractorImages.ReadImage(7, pixels);
    }

    [Fact]
    public void IjbLandmarksMapTheLooseCropBackOntoTheAlignedFace()
    {
        IjbDataset ijb = IjbDataset.Open(Result.IjbFolder!);
        SynthFaces.IjbPlan plan = SynthFaces.IjbLayoutPlan((ulong)Options.Seed, Options);
        Assert.Equal(plan.Faces.Count, ijb.Count);
        var matched = new List<double>();
        var mismatched = new List<double>();
        for (int i = 0; i < ijb.Count; i++)
        {
            Image loose = ijb.LoadImage(i);
            Assert.InRange(loose.Width, 150, 250);
            Assert.InRange(loose.Height, 150, 250);

            // The same capture rendered straight into the 112 crop that the written landmarks align to.
            SynthFaces.Spec spec = plan.Faces[i].Spec;
            SynthIdentity identity = spec.ResolveIdentity();
            SynthImageParams p = spec.ResolveParams();
            var inCrop = SynthRenderer.Landmarks(identity, p, SynthRenderer.IdentityToTemplate(identity).Then(SynthRenderer.Pose(p)));
            Image expected = SynthRenderer.Render(identity, p, FaceAlignment.EstimateTransform(inCrop), 112, 112, out _);
            Image aligned = ijb.AlignFace(i);
            // Both carry their own sensor noise (up to sigma 7 for IJB-like captures): compare the pictures, not the noise.
            matched.Add(MeanAbsDifference(Smooth(aligned), Smooth(expected)));

            Image other = ijb.AlignFace((i + 7) % ijb.Count);
            if (ijb.Faces[(i + 7) % ijb.Count].TemplateId != ijb.Faces[i].TemplateId) mismatched.Add(MeanAbsDifference(Smooth(other), Smooth(expected)));
        }
        Console.WriteLine($"IJB re-alignment: mean abs difference {matched.Average():F2} (max {matched.Max():F2}), other faces >= {mismatched.Min():F2}");
        Assert.True(matched.Max() < 4, $"re-aligned crops differ from the direct render by up to {matched.Max():F1} levels");
        Assert.True(mismatched.Min() > 2 * matched.Max(), $"other faces differ by only {mismatched.Min():F1} (matched: {matched.Max():F1})");
    }

    [Fact]
    public void ImagesVaryWithinAnIdentityButLessThanAcrossIdentities()
    {
        using var train = RecordIoTrainingSet.OpenFolder(Path.Combine(Result.OutputFolder, SynthFaces.TrainFolderName));
        int n = train.Count, length = 3 * 112 * 112;
        var images = new float[n][];
        for (int i = 0; i < n; i++)
        {
            images[i] = new float[length];
            train.ReadImage(i, images[i]);
        }
        // No two images are the same.
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) Assert.True(Distance(images[i], images[j]) > 0.01, $"images {i} and {j} are identical");

        // Leave-one-out identity means: each image is nearer its own identity's mean than the others', on average.
        int classes = train.ClassCount;
        double within = 0, across = 0;
        int nearestOwn = 0;
        for (int i = 0; i < n; i++)
        {
            double own = 0, nearestOther = double.MaxValue, otherSum = 0;
            for (int c = 0; c < classes; c++)
            {
                int[] members = Enumerable.Range(0, n).Where(k => train.GetLabel(k) == c && k != i).ToArray();
                var mean = new float[length];
                foreach (int k in members) for (int x = 0; x < length; x++) mean[x] += images[k][x] / members.Length;
                double d = Distance(images[i], mean);
                if (c == train.GetLabel(i)) own = d;
                else
                {
                    nearestOther = Math.Min(nearestOther, d);
                    otherSum += d;
                }
            }
            within += own;
            across += otherSum / (classes - 1);
            if (own < nearestOther) nearestOwn++;
        }
        Assert.True(within < 0.85 * across, $"within-identity distance {within / n:F3} is not clearly below across {across / n:F3}");
        Assert.True(nearestOwn >= n * 0.6, $"only {nearestOwn} of {n} images are nearest their own identity");
    }

    [Fact]
    public void SamplesAreDeterministicAndOptionsAreValidated()
    {
        Assert.Equal(SynthFaces.RenderSample(3, 12, 1).Pixels, SynthFaces.RenderSample(3, 12, 1).Pixels);
        Assert.NotEqual(SynthFaces.RenderSample(3, 12, 1).Pixels, SynthFaces.RenderSample(3, 12, 2).Pixels);
        Assert.NotEqual(SynthFaces.RenderSample(3, 12, 1).Pixels, SynthFaces.RenderSample(4, 12, 1).Pixels);

        string folder = Path.Combine(fixture.TempPath, "invalid");
        Assert.Throws<ArgumentException>(() => SynthFaces.Generate(SynthFixture.Small(folder, 1) with { PairCount = 30 }));
        Assert.Throws<ArgumentException>(() => SynthFaces.Generate(SynthFixture.Small(folder, 1) with { PairSetIdentities = 10 }));
        Assert.Throws<ArgumentException>(() => SynthFaces.Generate(SynthFixture.Small(folder, 1) with { IjbTemplatesPerSubject = 1 }));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void OnlyTheRequestedPartsAreWritten()
    {
        string folder = Path.Combine(fixture.TempPath, "pairs-only");
        var result = SynthFaces.Generate(SynthFixture.Small(folder, 5) with { Parts = SynthParts.PairSets, PairCount = 20 });
        Assert.Equal(120, result.TotalImages);
        Assert.Null(result.TrainFolder);
        Assert.False(Directory.Exists(Path.Combine(folder, SynthFaces.TrainFolderName)));
        Assert.False(Directory.Exists(Path.Combine(folder, SynthFaces.IjbName)));
        Assert.Equal(3, Directory.GetFiles(folder, "*.bin").Length);
    }

    private static Dictionary<string, string> Hashes(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static double MeanAbsDifference(Image a, Image b)
    {
        long sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return (double)sum / a.Pixels.Length;
    }

    /// <summary>A 5 x 5 box filter (edges clamped).</summary>
    private static Image Smooth(Image image)
    {
        var result = new Image(image.Width, image.Height, image.Channels);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                for (int c = 0; c < image.Channels; c++)
                {
                    int sum = 0;
                    for (int dy = -2; dy <= 2; dy++)
                        for (int dx = -2; dx <= 2; dx++)
                            sum += image[Math.Clamp(y + dy, 0, image.Height - 1), Math.Clamp(x + dx, 0, image.Width - 1), c];
                    result[y, x, c] = (byte)((sum + 12) / 25);
                }
        return result;
    }

    private static double Distance(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(sum / a.Length);
    }
}
