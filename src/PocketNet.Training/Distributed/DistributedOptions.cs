using System.Text.Json.Serialization;
using PocketNet.Torch.Distributed;

namespace PocketNet.Training.Distributed;

/// <summary>
/// How a run trains when it is one rank of several (recorded in run.json, so a resume trains the same way).
/// The world itself (ranks, master) comes from the launch, not from here.
/// </summary>
public sealed record DistributedOptions
{
    /// <summary>Batch norm with statistics of the global batch (torch.nn.SyncBatchNorm); false: each rank's own batch.</summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>Gradient bucket size in MB (PyTorch DDP's bucket_cap_mb, 25 by default).</summary>
    public double BucketMegabytes { get; init; } = 25;

    [JsonConverter(typeof(JsonStringEnumConverter<GradientSync>))]
    public GradientSync GradientSync { get; init; } = GradientSync.Bucketed;

    public long BucketBytes => (long)(BucketMegabytes * 1024 * 1024);

    public void Validate()
    {
        if (!(BucketMegabytes > 0)) throw new ArgumentException($"bucket size must be positive, not {BucketMegabytes} MB");
    }
}
