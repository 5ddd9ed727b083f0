using PocketNet.Data.Registry;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// Whether a metric label, as a source words it, is the number a column ranks by (<see cref="Application.Evaluation.HeadlineMetrics"/>):
/// accuracy for pair sets, TAR at FAR 1e-4 for IJB, rank-1 identification for MegaFace. Papers word them freely
/// ("TAR at FAR=1e-4", "TAR@FAR1e-4"), so the test reads the label's substance, not its spelling.
/// </summary>
public static class PublishedMetric
{
    public static bool IsHeadline(BenchmarkProtocol protocol, string? metric)
    {
        if (string.IsNullOrWhiteSpace(metric)) return true;
        string m = metric.ToLowerInvariant().Replace(" ", "").Replace("=", "").Replace("@", "at");
        return protocol switch
        {
            BenchmarkProtocol.Pairs => m.Contains("accuracy"),
            BenchmarkProtocol.Ijb => m.Contains("tar") && m.Contains("far1e-4"),
            BenchmarkProtocol.MegaFace => m.Contains("rank-1") || m.Contains("rank1"),
            _ => false,
        };
    }
}
