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
            // A twin of the last frontier point (same cost, same accuracy) is not beaten by it, so it belongs too.
            bool twin = frontier.Count > 0 && p.Cost == frontier[^1].Cost && p.Accuracy == frontier[^1].Accuracy;
            if (p.Accuracy <= best && !twin) continue;
            frontier.Add(p);
            best = p.Accuracy;
        }
        return frontier;
    }
}
