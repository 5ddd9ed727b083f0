using PocketNet.Evaluation.Templates;

namespace PocketNet.Evaluation.Tests.Templates;

public class IjbProtocolTests
{
    [Fact]
    public void RunScoresPairsAndReadsTheTarTableOffTheRoc()
    {
        // Templates as unit vectors at known angles: pair scores are exact cosines.
        float s = MathF.Sqrt(0.5f);
        var templates = new TemplateFeatures([10, 20, 30, 40], [1, 0, s, s, 0, 1, -1, 0], 2);
        // Scores: (10,20) 0.7071 genuine, (10,30) 0 impostor, (20,30) 0.7071 impostor, (10,40) -1 impostor,
        // (30,30) 1 genuine.
        var result = IjbProtocol.Run("tiny", templates, [10, 10, 20, 10, 30], [20, 30, 30, 40, 30], [true, false, false, false, true]);

        Assert.Equal(5, result.Pairs);
        Assert.Equal(2, result.GenuinePairs);
        Assert.Equal(3, result.ImpostorPairs);
        // ROC: origin, 1.0 -> (0, 0.5), 0.7071 -> (1/3, 1), 0 -> (2/3, 1), -1 -> (1, 1); the last two are
        // dropped/kept by drop_intermediate: (1/3,1) (2/3,1) (1,1) are equal steps, so (2/3, 1) goes.
        Assert.Equal(4, result.RocPoints);
        Assert.Equal(6, result.TarAtFar.Count);
        // Every FAR target up to 0.1 is nearest to FAR 0, whose highest TAR is 0.5.
        foreach (var point in result.TarAtFar)
        {
            Assert.Equal(0, point.Far);
            Assert.Equal(0.5, point.Tar);
        }
        Assert.Equal(0.5, result.TarAt(1e-4));
        // AUC: genuine 1.0 beats all three impostors; genuine 0.7071 ties one (half) and beats two -> 5.5 / 6.
        Assert.Equal(5.5 / 6, result.Auc, 6);
        Assert.Equal(result.RocPoints, result.Roc.Count);
        Assert.Throws<KeyNotFoundException>(() => result.TarAt(0.5));
        Assert.Throws<ArgumentException>(() => IjbProtocol.Run("bad", templates, [10], [20], [true, false]));
    }

    [Fact]
    public void UnknownTemplateInAPairIsNamed()
    {
        var templates = new TemplateFeatures([1, 2], [1, 0, 0, 1], 2);
        var error = Assert.Throws<KeyNotFoundException>(() => IjbProtocol.Score(templates, [1, 2, 1], [2, 7, 9]));
        Assert.Contains("pair 1", error.Message);
        Assert.Contains("template 7", error.Message);
    }

    [Fact]
    public void BlockedParallelScoresEqualDirectDotProducts()
    {
        var random = new Random(11);
        int count = 300, dim = 37, pairs = 100_003;
        var ids = Enumerable.Range(0, count).Select(i => i * 7 + 1000).ToArray();
        var features = Enumerable.Range(0, count * dim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var templates = new TemplateFeatures(ids, features, dim);
        var t1 = Enumerable.Range(0, pairs).Select(_ => ids[random.Next(count)]).ToArray();
        var t2 = Enumerable.Range(0, pairs).Select(_ => ids[random.Next(count)]).ToArray();
        float[] scores = IjbProtocol.Score(templates, t1, t2);
        for (int i = 0; i < pairs; i += 997)
        {
            var a = templates.Feature(templates.RowOf(t1[i]));
            var b = templates.Feature(templates.RowOf(t2[i]));
            double dot = 0;
            for (int k = 0; k < dim; k++) dot += (double)a[k] * b[k];
            Assert.True(Math.Abs(dot - scores[i]) < 1e-6, $"pair {i}: {scores[i]} vs {dot}");
        }
    }

    [Fact]
    public void SparseTemplateIdsUseTheDictionaryLookup()
    {
        var templates = new TemplateFeatures([int.MinValue, 0, int.MaxValue], [1, 0, 0, 1, 1, 1], 2);
        Assert.Equal(0, templates.RowOf(int.MinValue));
        Assert.Equal(2, templates.RowOf(int.MaxValue));
        Assert.Equal(-1, templates.RowOf(5));
        Assert.Equal(Math.Sqrt(0.5), IjbProtocol.Score(templates, [0], [int.MaxValue])[0], 6); // (0, 1) . (1, 1) / sqrt 2
    }
}
