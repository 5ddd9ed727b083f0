namespace PocketNet.Portal.Jobs.Workers;

/// <summary>This process as the store names it when it runs a job: host name and process id ("gpu-3:41277").</summary>
public sealed class WorkerIdentity
{
    public string Name { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public override string ToString() => Name;
}
