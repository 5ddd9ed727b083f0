using PocketNet.Portal.Leaderboard;

namespace PocketNet.Portal.Tests;

/// <summary>The chart's frontier: the models no other model beats on both cost and accuracy, cheapest first.</summary>
public sealed class ParetoFrontierTests
{
    private static int[] Frontier(params (int Id, double Cost, double Accuracy)[] points) =>
        ParetoFrontier.Of(points.Select(p => new TradeOffPoint(p.Id, p.Cost, p.Accuracy))).Select(p => p.ModelId).ToArray();

    [Fact]
    public void No_points_have_no_frontier() => Assert.Empty(Frontier());

    [Fact]
    public void A_single_point_is_the_frontier() => Assert.Equal([7], Frontier((7, 1e6, 0.9)));

    [Fact]
    public void Dominated_points_are_left_out_and_the_rest_come_cheapest_first()
    {
        // 1 (0.5 M, 90 %), 2 (1 M, 95 %), 3 (2 M, 99 %) trade off; 4 costs more than 2 for less; 5 more than 3 for less.
        int[] frontier = Frontier((3, 2e6, 0.99), (4, 1.5e6, 0.93), (1, 0.5e6, 0.90), (5, 3e6, 0.98), (2, 1e6, 0.95));
        Assert.Equal([1, 2, 3], frontier);
    }

    [Fact]
    public void The_frontiers_accuracy_rises_with_cost()
    {
        var points = Enumerable.Range(0, 200).Select(i => new TradeOffPoint(i, (i * 7919) % 101, ((i * 104729) % 97) / 97.0)).ToList();
        IReadOnlyList<TradeOffPoint> frontier = ParetoFrontier.Of(points);
        for (int i = 1; i < frontier.Count; i++)
        {
            Assert.True(frontier[i].Cost > frontier[i - 1].Cost);
            Assert.True(frontier[i].Accuracy > frontier[i - 1].Accuracy);
        }
        // Nothing off the frontier beats a frontier point; every point off it is beaten by one on it.
        foreach (TradeOffPoint p in points)
        {
            bool beaten = points.Any(q => q.Cost <= p.Cost && q.Accuracy >= p.Accuracy && (q.Cost < p.Cost || q.Accuracy > p.Accuracy));
            Assert.Equal(!beaten, frontier.Contains(p));
        }
    }

    [Fact]
    public void Of_two_models_with_equal_cost_only_the_more_accurate_is_on_the_frontier() =>
        Assert.Equal([2], Frontier((1, 1e6, 0.90), (2, 1e6, 0.95)));

    [Fact]
    public void Of_two_models_with_equal_accuracy_only_the_cheaper_is_on_the_frontier() =>
        Assert.Equal([2], Frontier((1, 2e6, 0.95), (2, 1e6, 0.95)));

    [Fact]
    public void Two_models_with_equal_cost_and_accuracy_beat_each_other_neither_and_are_both_on_it() =>
        Assert.Equal([1, 2, 3], Frontier((3, 2e6, 0.99), (1, 1e6, 0.95), (2, 1e6, 0.95)).Order().ToArray());

    [Fact]
    public void A_cheaper_but_worse_model_stays_on_the_frontier() =>
        Assert.Equal([1, 2], Frontier((2, 5e6, 0.99), (1, 1e5, 0.50)));
}
