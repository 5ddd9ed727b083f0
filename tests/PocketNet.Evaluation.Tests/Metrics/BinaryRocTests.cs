using PocketNet.Evaluation.Metrics;

namespace PocketNet.Evaluation.Tests.Metrics;

public class BinaryRocTests
{
    // Genuine 0.9, 0.8, 0.8, 0.4; impostor 0.8, 0.7, 0.3, 0.2, 0.1 (0.8 is tied across the classes).
    // Candidates from the top (FP, TP): (0,1) (1,3) (2,3) (2,4) (3,4) (4,4) (5,4); drop_intermediate removes
    // (3,4) and (4,4) (equal FP steps, no TP step); the origin is prepended.
    private static readonly float[] Scores = [0.9f, 0.8f, 0.8f, 0.4f, 0.8f, 0.7f, 0.3f, 0.2f, 0.1f];
    private static readonly bool[] Labels = [true, true, true, true, false, false, false, false, false];

    [Fact]
    public void CurveMatchesHandComputedPointsWithTiesAndDroppedIntermediates()
    {
        var roc = BinaryRoc.FromScores(Scores, Labels);
        Assert.Equal(4, roc.Genuine);
        Assert.Equal(5, roc.Impostors);
        double[] far = [0, 0, 0.2, 0.4, 0.4, 1.0];
        double[] tar = [0, 0.25, 0.75, 0.75, 1.0, 1.0];
        float[] thresholds = [0.9f, 0.8f, 0.7f, 0.4f, 0.1f];
        Assert.Equal(far.Length, roc.Count);
        for (int i = 0; i < roc.Count; i++)
        {
            Assert.Equal(far[i], roc.Far(i));
            Assert.Equal(tar[i], roc.Tar(i));
        }
        Assert.Equal(0.9f + 1.0, roc.Threshold(0), 12);
        for (int i = 1; i < roc.Count; i++) Assert.Equal(thresholds[i - 1], roc.Threshold(i));
    }

    [Fact]
    public void AucIsTheMannWhitneyProbabilityWithHalfCreditForTies()
    {
        // 17 of the 20 (genuine, impostor) pairs are ordered correctly, counting the 0.8/0.8 ties as halves.
        Assert.Equal(0.85, BinaryRoc.FromScores(Scores, Labels).Auc(), 12);
    }

    [Theory]
    // Exact hits on a FAR shared by two points take the later one (higher TAR), as the reference's argmin on
    // the reversed curve does.
    [InlineData(0.4, 0.4, 1.0, 0.4f)]
    // Equidistant from (0, 0) and (0, 0.25): the later point.
    [InlineData(0.01, 0.0, 0.25, 0.9f)]
    [InlineData(0.25, 0.2, 0.75, 0.8f)]
    [InlineData(1e-6, 0.0, 0.25, 0.9f)]
    [InlineData(0.9, 1.0, 1.0, 0.1f)]
    public void TarAtFarTakesTheNearestPointLikeTheReference(double target, double far, double tar, float threshold)
    {
        var point = BinaryRoc.FromScores(Scores, Labels).TarAtFarNearest(target);
        Assert.Equal(target, point.TargetFar);
        Assert.Equal(far, point.Far);
        Assert.Equal(tar, point.Tar);
        Assert.Equal(threshold, point.Threshold);
    }

    [Fact]
    public void AllScoresTiedGiveTheDiagonalEndpointsOnly()
    {
        var roc = BinaryRoc.FromScores([0.5f, 0.5f, 0.5f], [true, false, false]);
        Assert.Equal(2, roc.Count);
        Assert.Equal((0.0, 0.0), (roc.Far(0), roc.Tar(0)));
        Assert.Equal((1.0, 1.0), (roc.Far(1), roc.Tar(1)));
        Assert.Equal(0.5, roc.Auc(), 12);
    }

    [Fact]
    public void LargeInputsSortedInParallelRunsGiveTheSameCurveAsASingleSortedWalk()
    {
        // Over 2^20 impostors the impostor scores are sorted in several runs merged during the walk.
        var random = new Random(7);
        int n = (1 << 20) + 12345;
        var scores = new float[n];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.Next(50) == 0;
            // Quantised so that many ties cross the classes and the runs.
            scores[i] = MathF.Round((float)(random.NextDouble() + (labels[i] ? 0.5 : 0)), 3);
        }
        var roc = BinaryRoc.FromScores(scores, labels);

        // Reference: count at every distinct threshold directly.
        var distinct = scores.Distinct().OrderByDescending(s => s).ToArray();
        long genuine = labels.Count(l => l), impostors = n - genuine;
        var byScore = scores.Zip(labels).GroupBy(p => p.First).ToDictionary(g => g.Key, g => (Tp: g.Count(p => p.Second), Fp: g.Count(p => !p.Second)));
        var fps = new List<long>();
        var tps = new List<long>();
        long fp = 0, tp = 0;
        foreach (float s in distinct)
        {
            fp += byScore[s].Fp;
            tp += byScore[s].Tp;
            fps.Add(fp);
            tps.Add(tp);
        }
        var kept = new List<int> { 0 };
        for (int i = 1; i < fps.Count - 1; i++)
            if (fps[i + 1] - 2 * fps[i] + fps[i - 1] != 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] != 0) kept.Add(i);
        kept.Add(fps.Count - 1);

        Assert.Equal(kept.Count + 1, roc.Count);
        for (int k = 0; k < kept.Count; k++)
        {
            Assert.Equal((double)fps[kept[k]] / impostors, roc.Far(k + 1));
            Assert.Equal((double)tps[kept[k]] / genuine, roc.Tar(k + 1));
            Assert.Equal(distinct[kept[k]], roc.Threshold(k + 1));
        }
    }

    [Fact]
    public void RejectsMissingClassesNaNAndLengthMismatch()
    {
        Assert.Throws<ArgumentException>(() => BinaryRoc.FromScores([0.1f, 0.2f], [false, false]));
        Assert.Throws<ArgumentException>(() => BinaryRoc.FromScores([0.1f, 0.2f], [true, true]));
        Assert.Throws<ArgumentException>(() => BinaryRoc.FromScores([0.1f, float.NaN], [true, false]));
        Assert.Throws<ArgumentException>(() => BinaryRoc.FromScores([0.1f], [true, false]));
    }

    [Fact]
    public void PlotPointsAreThinnedLogSpacedAndKeepTheEnds()
    {
        var random = new Random(3);
        int n = 200_000;
        var scores = new float[n];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 10 == 0;
            scores[i] = (float)(random.NextDouble() + (labels[i] ? 0.3 : 0));
        }
        var roc = BinaryRoc.FromScores(scores, labels);
        Assert.True(roc.Count > 1000);
        var points = roc.Points(500);
        Assert.True(points.Count <= 500);
        Assert.True(points.Count > 100);
        Assert.Equal(0, points[0].FalseAcceptRate);
        Assert.Equal(1, points[^1].FalseAcceptRate);
        Assert.Equal(1, points[^1].TrueAcceptRate);
        for (int i = 1; i < points.Count; i++)
        {
            Assert.True(points[i].FalseAcceptRate >= points[i - 1].FalseAcceptRate);
            Assert.True(points[i].TrueAcceptRate >= points[i - 1].TrueAcceptRate);
        }
        // Log spacing: many points below FAR 1e-2 (the smallest non-zero FAR is ~1e-4), a tiny part of the FAR range.
        Assert.True(points.Count(p => p.FalseAcceptRate is > 0 and < 1e-2) > 50);
    }
}
