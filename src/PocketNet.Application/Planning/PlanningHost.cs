namespace PocketNet.Application.Planning;

/// <summary>
/// What differs between the hosts that plan requests, by design and in one place: whether a request may name files of
/// this host (the CLI's recipe files, teacher weights, .bin pair sets; never a request over the web), whether this host's
/// devices are the ones the job will run on, and how often a training run reports its progress.
/// </summary>
public sealed record PlanningHost(bool LocalFiles, bool DevicesHere, int LogEverySteps)
{
    /// <summary>
    /// The CLI: files of this host; the device is resolved by the process that trains (each rank of a launched world picks
    /// its own GPU), so "auto" stays auto; progress every 10 steps on a terminal.
    /// </summary>
    public static PlanningHost Cli { get; } = new(LocalFiles: true, DevicesHere: false, LogEverySteps: 10);

    /// <summary>The portal: names only; every step reported, for the live curves. A web host sets <see cref="DevicesHere"/> false.</summary>
    public static PlanningHost Portal(bool devicesHere) => new(LocalFiles: false, DevicesHere: devicesHere, LogEverySteps: 1);
}
