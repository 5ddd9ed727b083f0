using Hangfire;
using Microsoft.Extensions.Options;

namespace PocketNet.Portal.Jobs.Workers;

/// <summary>A queue and the live workers that serve it: "host:pid" and how many jobs each runs at once.</summary>
public sealed record QueueView(string Name, IReadOnlyList<QueueWorker> Workers);

public sealed record QueueWorker(string Worker, int Concurrency, double HeartbeatAgeSeconds);

/// <summary>The queues that live workers serve, from the engine's server list (a server silent for three heartbeats is not live).</summary>
public sealed class LiveQueues(JobStorage storage, IOptions<JobEngineOptions> options, ILogger<LiveQueues> log)
{
    public IReadOnlyList<QueueView> Read()
    {
        try
        {
            DateTime now = DateTime.UtcNow;
            TimeSpan live = 3 * options.Value.ServerHeartbeat;
            return storage.GetMonitoringApi().Servers()
                .Where(s => s.Heartbeat is { } beat && now - beat < live)
                .SelectMany(s => s.Queues.Select(q => (Queue: q, Server: s)))
                .GroupBy(x => x.Queue, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new QueueView(g.Key, g.Select(x => new QueueWorker(WorkerOf(x.Server.Name), x.Server.WorkersCount,
                    Math.Round((now - x.Server.Heartbeat!.Value).TotalSeconds, 1))).ToList()))
                .ToList();
        }
        catch (Exception e)
        {
            // The forms fall back to typing a queue; the engine's store being down must not break a page.
            log.LogWarning(e, "could not read the job engine's servers");
            return [];
        }
    }

    /// <summary>Live workers that left no mark in this host's home (<see cref="WorkerHomeMark"/>): they see another folder.</summary>
    public IReadOnlyList<string> WorkersWithoutHome(PortalPaths paths) =>
        Read().SelectMany(q => q.Workers).Select(w => w.Worker).Distinct(StringComparer.Ordinal)
            .Where(w => !File.Exists(WorkerHomeMark.MarkOf(paths, w))).Order(StringComparer.Ordinal).ToList();

    // Hangfire names a server "<our server name>:<its own suffix>"; ours is "host:pid:queue".
    private static string WorkerOf(string server)
    {
        string[] parts = server.Split(':');
        return parts.Length >= 2 ? $"{parts[0]}:{parts[1]}" : server;
    }
}
