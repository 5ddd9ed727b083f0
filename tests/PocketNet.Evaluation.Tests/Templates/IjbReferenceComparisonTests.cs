using System.Runtime.InteropServices;
using System.Text.Json;
using PocketNet.Evaluation.Templates;

namespace PocketNet.Evaluation.Tests.Templates;

/// <summary>
/// The IJB pipeline against python/ijb_reference.py, which redoes eval_ijbc.py's arithmetic with numpy (its
/// roc_curve follows scikit-learn's algorithm, which is not installed here).
/// </summary>
public class IjbReferenceComparisonTests
{
    private sealed record Reference(double[] PairScores, int[] TemplateIds, double[] Fpr, double[] Tpr, double[] Thresholds, double Auc, double[] TarAtFar);

    private static Reference RunReference(string folder, float[] feats, int dim, int[] tid, int[] mid, float[] det,
        int[] p1, int[] p2, bool[] labels, float[] scores)
    {
        File.WriteAllText(Path.Combine(folder, "meta.json"), JsonSerializer.Serialize(new { images = tid.Length, dim, pairs = p1.Length }));
        void Write<T>(string name, T[] values) where T : struct =>
            File.WriteAllBytes(Path.Combine(folder, name), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        Write("feats.f32", feats);
        Write("tid.i32", tid);
        Write("mid.i32", mid);
        Write("det.f32", det);
        Write("p1.i32", p1);
        Write("p2.i32", p2);
        Write("label.u8", labels.Select(l => (byte)(l ? 1 : 0)).ToArray());
        Write("scores.f32", scores);
        PythonRunner.Run("ijb_reference.py", folder);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "result.json")));
        var root = json.RootElement;
        double[] Doubles(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return new Reference(Doubles("pair_scores"), root.GetProperty("template_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Doubles("fpr"), Doubles("tpr"), Doubles("thresholds"), root.GetProperty("auc").GetDouble(), Doubles("tar_at_far"));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)] // scores quantised to 3 decimals: many ties, long equal-step runs for drop_intermediate
    public void PoolingScoresRocAndTarTableMatchTheNumpyReference(int seed, bool quantise)
    {
        var random = new Random(seed);
        int dim = 16, templates = 400, images = 2000, pairs = 60_000;
        // Identities with a random centre; templates of an identity share it, so genuine pairs score higher.
        int identities = 60;
        var centres = Enumerable.Range(0, identities * dim).Select(_ => Gaussian(random)).ToArray();
        var templateIdentity = Enumerable.Range(0, templates).Select(_ => random.Next(identities)).ToArray();
        var templateIds = Enumerable.Range(0, templates).Select(t => 3 * t + 5).ToArray();
        var tid = new int[images];
        var mid = new int[images];
        var det = new float[images];
        var feats = new float[images * dim];
        for (int i = 0; i < images; i++)
        {
            int t = i < templates ? i : random.Next(templates); // every template has an image
            tid[i] = templateIds[t];
            mid[i] = random.Next(4) + 100 * (t % 7); // a few media per template, shared numbers across templates
            det[i] = (float)(0.5 + random.NextDouble() / 2);
            for (int k = 0; k < dim; k++)
                feats[i * dim + k] = centres[templateIdentity[t] * dim + k] + 0.8f * Gaussian(random);
        }
        var p1 = new int[pairs];
        var p2 = new int[pairs];
        var labels = new bool[pairs];
        for (int i = 0; i < pairs; i++)
        {
            int a = random.Next(templates), b = random.Next(templates);
            p1[i] = templateIds[a];
            p2[i] = templateIds[b];
            labels[i] = templateIdentity[a] == templateIdentity[b];
        }

        var pooled = TemplatePooling.Pool(feats, dim, tid, mid, det);
        float[] scores = IjbProtocol.Score(pooled, p1, p2);
        if (quantise) scores = scores.Select(s => MathF.Round(s, 3)).ToArray();
        var result = IjbProtocol.Evaluate("random", scores, labels);
        var roc = PocketNet.Evaluation.Metrics.BinaryRoc.FromScores(scores, labels);

        using var folder = new TempDirectory();
        var reference = RunReference(folder.Path, feats, dim, tid, mid, det, p1, p2, labels, scores);

        Assert.Equal(reference.TemplateIds, pooled.TemplateIds);
        if (!quantise)
            for (int i = 0; i < pairs; i++) Assert.True(Math.Abs(reference.PairScores[i] - scores[i]) < 1e-5, $"pair {i}: {scores[i]} vs {reference.PairScores[i]}");

        // Same scores in: the curve must agree point for point, exactly.
        Assert.Equal(reference.Fpr.Length, roc.Count);
        for (int i = 0; i < roc.Count; i++)
        {
            Assert.Equal(reference.Fpr[i], roc.Far(i));
            Assert.Equal(reference.Tpr[i], roc.Tar(i));
            Assert.Equal(reference.Thresholds[i], roc.Threshold(i));
        }
        Assert.Equal(reference.TarAtFar, result.TarAtFar.Select(p => p.Tar).ToArray());
        Assert.Equal(reference.Auc, result.Auc, 12);
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
