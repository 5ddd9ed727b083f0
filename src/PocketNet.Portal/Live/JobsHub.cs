using Microsoft.AspNetCore.SignalR;

namespace PocketNet.Portal.Live;

/// <summary>
/// The SignalR hub open pages listen on (wwwroot/js/portal.js). The server only pushes: a "job" message with a
/// <see cref="JobUpdate"/> whenever a job progresses or changes state; pages then re-read what they show.
/// </summary>
public sealed class JobsHub : Hub
{
    public const string Path = "/hubs/jobs";
    public const string JobMessage = "job";
}

/// <summary>
/// A job's progress as pushed to pages: fraction 0..1, loss, images per second, seconds left, its latest progress
/// event (<see cref="Latest"/>: a training step, an accuracy check or an evaluation, with its own figures) and the
/// seconds it has run over all its attempts.
/// </summary>
public sealed record JobUpdate(int Id, string State, double Progress, string? Phase, double? Loss, double? ImagesPerSecond, double? RemainingSeconds,
    PocketNet.Training.Progress.ProgressEvent? Latest = null, double RunSeconds = 0);
