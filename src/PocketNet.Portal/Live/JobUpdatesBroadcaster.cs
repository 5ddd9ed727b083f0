using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Live;

/// <summary>
/// Pushes job progress to open pages: listens to <see cref="LiveJobs"/>, and at most every
/// <see cref="Interval"/> per job sends the job's current snapshot through <see cref="JobsHub"/>. Training reports
/// every step; pages need a few updates a second at most.
/// </summary>
public sealed class JobUpdatesBroadcaster(LiveJobs live, JobRunner runner, IHubContext<JobsHub> hub, ILogger<JobUpdatesBroadcaster> log) : IHostedService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<int, byte> _pending = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        live.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        live.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    // Called on the job's thread: never block it; coalesce bursts into one message per interval.
    private void OnChanged(int jobId)
    {
        if (!_pending.TryAdd(jobId, 0)) return;
        _ = SendLaterAsync(jobId);
    }

    private async Task SendLaterAsync(int jobId)
    {
        try
        {
            await Task.Delay(Interval);
            _pending.TryRemove(jobId, out _);
            JobUpdate? update = await runner.SnapshotAsync(jobId);
            if (update is not null) await hub.Clients.All.SendAsync(JobsHub.JobMessage, update);
        }
        catch (Exception e)
        {
            log.LogDebug(e, "could not push job {Job}", jobId);
        }
    }
}
