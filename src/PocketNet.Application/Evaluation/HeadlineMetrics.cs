using PocketNet.Data.Registry;

namespace PocketNet.Application.Evaluation;

/// <summary>The number each protocol is ranked by (results, leaderboards and exports name it so).</summary>
public static class HeadlineMetrics
{
    public static string For(BenchmarkProtocol protocol) => protocol switch
    {
        BenchmarkProtocol.Pairs => "accuracy (10-fold)",
        BenchmarkProtocol.Ijb => "TAR at FAR 1e-4",
        BenchmarkProtocol.MegaFace => "rank-1 identification",
        _ => throw new NotSupportedException($"protocol {protocol}"),
    };

    /// <summary>A short column label.</summary>
    public static string Short(BenchmarkProtocol protocol) => protocol switch
    {
        BenchmarkProtocol.Pairs => "accuracy",
        BenchmarkProtocol.Ijb => "TAR@FAR=1e-4",
        BenchmarkProtocol.MegaFace => "rank-1",
        _ => protocol.ToString(),
    };
}
