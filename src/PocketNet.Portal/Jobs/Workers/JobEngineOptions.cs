using System.Text.RegularExpressions;

namespace PocketNet.Portal.Jobs.Workers;

/// <summary>
/// How this process takes part in running jobs (section "Portal", beside <see cref="PortalOptions"/>): its role, the
/// queues its workers serve, and the timings that let a dead worker's job be noticed and taken over.
/// </summary>
public sealed partial class JobEngineOptions
{
    /// <summary>all (pages, API and a worker; the default), web (pages and API) or worker (runs jobs, serves no pages).</summary>
    public string Role { get; set; } = PortalRoles.All;

    /// <summary>Queues this worker serves, each with how many of its jobs run at once; default cpu, plus cuda when CUDA is present.</summary>
    public List<WorkerQueueOption> Queues { get; set; } = [];

    /// <summary>Seconds between a running job's progress writes, which are also its worker's hold on it and its cancel check.</summary>
    public double JobHeartbeatSeconds { get; set; } = 2;

    /// <summary>A running job whose heartbeat is older than this (seconds) has lost its worker and may be taken over.</summary>
    public double JobLeaseSeconds { get; set; } = 60;

    /// <summary>Seconds before the engine hands a job fetched by a worker that stopped answering to another worker.</summary>
    public double InvisibilitySeconds { get; set; } = 300;

    /// <summary>Seconds between the engine's server heartbeats; a worker silent for three of them no longer counts as live.</summary>
    public double ServerHeartbeatSeconds { get; set; } = 10;

    /// <summary>Seconds a job may go on while its records cannot be written to the store; past it the job fails with the reason.</summary>
    public double StoreFaultSeconds { get; set; } = 120;

    public bool RunsJobs => Role is PortalRoles.All or PortalRoles.Worker;

    public bool ServesPages => Role is PortalRoles.All or PortalRoles.Web;

    public TimeSpan JobHeartbeat => TimeSpan.FromSeconds(JobHeartbeatSeconds);
    public TimeSpan JobLease => TimeSpan.FromSeconds(JobLeaseSeconds);
    public TimeSpan StoreFaultLimit => TimeSpan.FromSeconds(StoreFaultSeconds);
    public TimeSpan ServerHeartbeat => TimeSpan.FromSeconds(ServerHeartbeatSeconds);

    /// <summary>The queues served here: those configured, else one per kind of device this host has.</summary>
    public IReadOnlyList<WorkerQueueOption> ResolveQueues(int defaultConcurrency)
    {
        if (Queues.Count > 0) return Queues.Select(q => q with { Concurrency = q.Concurrency ?? defaultConcurrency }).ToList();
        var queues = new List<WorkerQueueOption> { new() { Name = "cpu", Concurrency = defaultConcurrency } };
        if (Torch.Engine.CudaDeviceCount > 0) queues.Add(new WorkerQueueOption { Name = "cuda", Concurrency = defaultConcurrency });
        return queues;
    }

    /// <summary>The queue a job waits in: the one asked for, else the one named after its device (cpu or cuda).</summary>
    public static string QueueFor(string? requested, string device)
    {
        if (string.IsNullOrWhiteSpace(requested)) return device.StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu";
        string queue = requested.Trim();
        if (!QueueName().IsMatch(queue))
            throw new ArgumentException($"queue: '{queue}' is not a queue name (lower-case letters, digits, '_' or '-', at most 32)");
        return queue;
    }

    public string? Validate()
    {
        if (Role is not (PortalRoles.All or PortalRoles.Web or PortalRoles.Worker)) return $"Portal:Role must be all, web or worker, not '{Role}'";
        foreach (WorkerQueueOption q in Queues)
        {
            if (!QueueName().IsMatch(q.Name)) return $"Portal:Queues: '{q.Name}' is not a queue name (lower-case letters, digits, '_' or '-')";
            if (q.Concurrency is < 1) return $"Portal:Queues: '{q.Name}' needs a concurrency of at least 1";
        }
        if (JobHeartbeatSeconds <= 0 || JobLeaseSeconds <= 2 * JobHeartbeatSeconds)
            return "Portal:JobLeaseSeconds must exceed two job heartbeats (Portal:JobHeartbeatSeconds)";
        if (InvisibilitySeconds < 1 || ServerHeartbeatSeconds < 1 || StoreFaultSeconds < JobHeartbeatSeconds)
            return "Portal:InvisibilitySeconds and ServerHeartbeatSeconds must be at least 1, StoreFaultSeconds at least one job heartbeat";
        return null;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex QueueName();
}

/// <summary>A queue a worker serves, and how many of its jobs run at once there.</summary>
public sealed record WorkerQueueOption
{
    public string Name { get; set; } = "cpu";
    public int? Concurrency { get; set; }
}

public static class PortalRoles
{
    public const string All = "all";
    public const string Web = "web";
    public const string Worker = "worker";
}
