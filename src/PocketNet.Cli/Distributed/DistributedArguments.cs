using PocketNet.Cli.Commands;
using PocketNet.Torch.Distributed;
using PocketNet.Training.Distributed;

namespace PocketNet.Cli.Distributed;

/// <summary>The training options of data parallelism: --sync-bn, --bucket-mb, --gradient-sync.</summary>
public static class DistributedArguments
{
    public const string Usage =
        "[--nproc-per-node N [--nnodes M --node-rank R --master-addr HOST --master-port P]] [--sync-bn] [--bucket-mb 25] [--gradient-sync bucketed|per-tensor]";

    /// <summary>Null when none is given (run.json then records no distributed section).</summary>
    public static DistributedOptions? Read(Arguments a)
    {
        bool syncBn = a.Flag("sync-bn");
        double? bucket = a.OptionalDouble("bucket-mb");
        string? sync = a.Optional("gradient-sync");
        if (!syncBn && bucket is null && sync is null) return null;
        var defaults = new DistributedOptions();
        return new DistributedOptions
        {
            SyncBatchNorm = syncBn,
            BucketMegabytes = bucket ?? defaults.BucketMegabytes,
            GradientSync = sync switch
            {
                null or "bucketed" => GradientSync.Bucketed,
                "per-tensor" => GradientSync.PerTensor,
                _ => throw new ArgumentException($"{a.Verb}: --gradient-sync must be bucketed or per-tensor, not '{sync}'"),
            },
        };
    }
}
