namespace PocketNet.Portal.Leaderboard;

/// <summary>A model on the accuracy-against-size chart: cost (parameters or MFLOPs) and accuracy.</summary>
public readonly record struct TradeOffPoint(int ModelId, double Cost, double Accuracy);

/// <summary>
/// The models no other model beats: none is at most as costly and at least as accurate while strictly better in
/// one. Sorted by cost, their accuracies rise, which is the line the chart draws.
/// </summary>
public static class ParetoFrontier
{
    public static IReadOnlyList<TradeOffPoint> Of(IEnumerable<TradeOffPoint> points)
    {
        var frontier = new List<TradeOffPoint>();
        double best = double.NegativeInfinity;
        // Cheapest first; among equal costs, the most accurate first, so the others are dominated by it.
        foreach (TradeOffPoint p in points.OrderBy(p => p.Cost).ThenByDescending(p => p.Accuracy))
        {
            if (p.Accuracy <= best) continue;
            frontier.Add(p);
            best = p.Accuracy;
        }
        return frontier;
    }
}
