using PocketNet.Torch;
using PocketNet.Torch.Distributed;
using PocketNet.Torch.NN;
using PocketNet.Training.Loading;

namespace PocketNet.Training.Distributed;

/// <summary>
/// The ranks a training run is one of: a single process (no group), or a c10d job joined through torchrun's
/// variables (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), which our own --nproc-per-node launcher,
/// torchrun, Slurm and Kubernetes' PyTorchJob all set. Rank 0 is the main rank: it alone writes events,
/// checkpoints and the model.
/// </summary>
public sealed class TrainingWorld : IDisposable
{
    private TrainingWorld(ProcessGroup? group) => Group = group;

    public static TrainingWorld Single() => new(null);

    /// <summary>Joins the job the environment describes (Gloo on CPU, NCCL on CUDA); a single process when WORLD_SIZE is unset or 1.</summary>
    public static TrainingWorld FromEnvironment(string device, TimeSpan? timeout = null)
    {
        Rendezvous? rendezvous = Rendezvous.FromEnvironment();
        if (rendezvous is null || rendezvous.WorldSize == 1) return Single();
        bool cuda = Device.Parse(LocalDevice(device, rendezvous.LocalRank)).IsCuda;
        return new(ProcessGroup.Join(rendezvous with
        {
            Backend = cuda ? "nccl" : "gloo",
            Timeout = timeout ?? Rendezvous.DefaultTimeout,
        }));
    }

    public ProcessGroup? Group { get; }
    public int Rank => Group?.Rank ?? 0;
    public int Size => Group?.WorldSize ?? 1;
    public bool IsMain => Rank == 0;
    public DistributedSampler Sampler => new(Rank, Size);

    /// <summary>The device of this rank: on CUDA one GPU per local rank (cuda:LOCAL_RANK) unless a specific one was named.</summary>
    public string DeviceFor(string requested) => Group is null ? requested : LocalDevice(requested, Group.Rendezvous.LocalRank);

    private static string LocalDevice(string requested, int localRank) =>
        requested is "auto" && Engine.CudaDeviceCount > 0 || requested == "cuda" ? $"cuda:{localRank}" : requested is "auto" ? "cpu" : requested;

    /// <summary>Waits for every rank (a no-op alone).</summary>
    public void Barrier() => Group?.Barrier();

    /// <summary>Data parallelism over the modules trained together; null alone.</summary>
    public DataParallel? Parallelise(IReadOnlyList<Module> modules, DistributedOptions? options)
    {
        if (Group is null) return null;
        options ??= new DistributedOptions();
        return new DataParallel(Group, modules, options.GradientSync, options.BucketBytes, options.SyncBatchNorm);
    }

    public void Dispose() => Group?.Dispose();
}
