namespace PocketNet.Torch.Distributed;

/// <summary>
/// Where and as whom a process joins a data-parallel job, in torchrun's terms: rank 0 hosts the TCPStore on
/// <see cref="MasterAddress"/>:<see cref="MasterPort"/>, every rank connects to it. <see cref="Timeout"/> bounds
/// the rendezvous and every collective after it.
/// </summary>
public sealed record Rendezvous(string MasterAddress, int MasterPort, int Rank, int WorldSize, int LocalRank = 0)
{
    public const string RankVariable = "RANK";
    public const string LocalRankVariable = "LOCAL_RANK";
    public const string WorldSizeVariable = "WORLD_SIZE";
    public const string MasterAddressVariable = "MASTER_ADDR";
    public const string MasterPortVariable = "MASTER_PORT";

    public const string TimeoutVariable = "POCKETNET_DIST_TIMEOUT";

    /// <summary>5 minutes, or POCKETNET_DIST_TIMEOUT seconds.</summary>
    public static TimeSpan DefaultTimeout =>
        Environment.GetEnvironmentVariable(TimeoutVariable) is { Length: > 0 } text
            ? double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : throw new ArgumentException($"{TimeoutVariable} must be a positive number of seconds, not '{text}'")
            : TimeSpan.FromMinutes(5);

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>gloo (CPU tensors) or nccl (CUDA tensors; only with a CUDA libtorch).</summary>
    public string Backend { get; init; } = "gloo";

    /// <summary>
    /// The job this process was started into by torchrun, Slurm, Kubernetes' PyTorchJob or our own
    /// <c>--nproc-per-node</c>: null when WORLD_SIZE is not set. A set but malformed variable is an error that
    /// names it.
    /// </summary>
    public static Rendezvous? FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        if (read(WorldSizeVariable) is not { Length: > 0 }) return null;
        int worldSize = Number(read, WorldSizeVariable, 1);
        int rank = Number(read, RankVariable, 0);
        // Without LOCAL_RANK (Kubernetes' PyTorchJob: one process per pod) the process is alone on its host.
        int localRank = read(LocalRankVariable) is { Length: > 0 } ? Number(read, LocalRankVariable, 0) : 0;
        string address = read(MasterAddressVariable) is { Length: > 0 } a ? a : "127.0.0.1";
        int port = Number(read, MasterPortVariable, 1);
        if (rank >= worldSize) throw new ArgumentException($"{RankVariable}={rank} is not below {WorldSizeVariable}={worldSize}");
        if (port > 65535) throw new ArgumentException($"{MasterPortVariable}={port} is not a TCP port");
        return new Rendezvous(address, port, rank, worldSize, localRank);
    }

    private static int Number(Func<string, string?> read, string name, int min)
    {
        string? text = read(name);
        if (text is null || !int.TryParse(text, out int value) || value < min)
            throw new ArgumentException($"environment variable {name} must be an integer of at least {min}, not '{text}'");
        return value;
    }
}
