using System.Text.Json;

namespace PocketNet.Portal.Jobs.Workers;

/// <summary>
/// A worker leaves a mark in the home it sees (home/workers/HOST_PID.json) while it runs, so a web host can tell the
/// live workers that see its home from those that do not: run folders and models of the latter are invisible to it.
/// </summary>
public sealed class WorkerHomeMark(PortalPaths paths, WorkerIdentity worker, ILogger<WorkerHomeMark> log) : IHostedService
{
    public const string Folder = "workers";

    private string Path => MarkOf(paths, worker.Name);

    /// <summary>Where the mark of <paramref name="workerName"/> ("host:pid") lies in this host's home.</summary>
    public static string MarkOf(PortalPaths paths, string workerName) =>
        System.IO.Path.Combine(paths.Home, Folder, workerName.Replace(':', '_').ToLowerInvariant() + ".json");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            File.WriteAllText(Path, JsonSerializer.Serialize(new { worker = worker.Name, home = paths.Home, started = DateTime.UtcNow }));
        }
        catch (IOException e)
        {
            log.LogWarning(e, "could not mark the home {Home} as seen by worker {Worker}", paths.Home, worker.Name);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
