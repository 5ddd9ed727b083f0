using System.Diagnostics;
using Microsoft.Extensions.Options;
using PocketNet.Cli.Distributed;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Jobs.Distributed;

/// <summary>
/// Trains a planned run (its run.json written) in several processes of this host through the CLI's launcher,
/// `pocketnet resume RUN --nproc-per-node N`, which starts the ranks with torchrun's variables (Gloo on a CPU, NCCL
/// on GPUs) and the cores or GPUs divided among them; a fresh run and a resumed one are the same command, since the
/// trainer continues from the newest checkpoint there is. Rank 0 writes events.jsonl, checkpoints and the model:
/// its events are followed here and reported as an in-process run reports them. A cancel, or this process stopping,
/// ends the launcher with its ranks; the run then resumes from its newest checkpoint. Everything the processes print
/// goes to the run's <see cref="LogFile"/>; when the launcher fails, the job fails with the ranks' error lines. Should
/// this process die without ending them, the launcher notices and ends the ranks itself.
/// </summary>
public sealed class TrainingProcesses(IOptions<PortalOptions> options, ILogger<TrainingProcesses> log)
{
    /// <summary>The processes' output, in the run folder beside events.jsonl.</summary>
    public const string LogFile = "ranks.log";

    /// <summary>How often events.jsonl is read for new events (and the cancellation checked) while the ranks train.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Error lines a failure message keeps: the last ones, where the failing rank and its reason are.</summary>
    private const int ErrorLines = 24;

    /// <summary>Variables of an outer launch: the launcher refuses to start inside a rank, and the ranks take theirs from it.</summary>
    private static readonly string[] OuterLaunch = ["RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"];

    /// <summary>Trains the run in <paramref name="runFolder"/> in <paramref name="processes"/> processes; returns the model folder.</summary>
    public string Train(string runFolder, int processes, IProgress<TrainingEvent> progress, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        ProcessStartInfo start = StartInfo(runFolder, processes);
        string events = Path.Combine(runFolder, RunDirectory.EventsFile);
        long read = EventsFile.EndOfWholeLines(events);
        var errors = new Queue<string>();
        using var output = new StreamWriter(Path.Combine(runFolder, LogFile), append: true) { AutoFlush = true };
        void Record(string? line, bool error)
        {
            if (line is null) return;
            lock (output)
            {
                output.WriteLine(line);
                // The launcher names a failed rank on its standard output; the ranks' own errors come on standard error.
                if (!error && !line.StartsWith("rank ", StringComparison.Ordinal) && !line.StartsWith("the job failed", StringComparison.Ordinal)) return;
                errors.Enqueue(line);
                if (errors.Count > ErrorLines) errors.Dequeue();
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Record(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Record(e.Data, error: true);
        lock (output) output.WriteLine($"{DateTimeOffset.UtcNow:O} {Describe(start)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.LogInformation("training {Run} in {Processes} processes (launcher pid {Pid})", runFolder, processes, process.Id);
        progress.Report(new RunMessage($"training in {processes} processes (world size {processes}); their output goes to {LogFile}"));
        try
        {
            while (!process.WaitForExit(Poll))
            {
                read = Forward(events, read, progress);
                cancellation.ThrowIfCancellationRequested();
            }
            process.WaitForExit(); // the rest of the output
            Forward(events, read, progress);
        }
        finally
        {
            // Cancelled, or this process stopping: the ranks stop with the launcher (their newest checkpoint stays).
            if (!process.HasExited) End(process);
        }
        if (process.ExitCode != 0)
        {
            string detail;
            lock (output) detail = string.Join("\n", errors);
            throw new InvalidOperationException(
                $"the {processes} training processes failed (the launcher exited with code {process.ExitCode}); the last error lines, all in {LogFile}:\n{detail}");
        }
        var run = new RunDirectory(runFolder);
        return Directory.Exists(run.ModelPath) ? run.ModelPath
            : throw new InvalidOperationException($"the {processes} training processes ended without writing the model to {run.ModelPath}");
    }

    /// <summary>`dotnet pocketnet.dll resume RUN --nproc-per-node N` (or the CLI's own executable), without an outer launch's variables.</summary>
    private ProcessStartInfo StartInfo(string runFolder, int processes)
    {
        string cli = Path.GetFullPath(options.Value.Cli ?? Path.Combine(AppContext.BaseDirectory, "pocketnet.dll"));
        if (!File.Exists(cli))
            throw new InvalidOperationException($"cannot start {processes} training processes: the pocketnet CLI {cli} does not exist (build src/PocketNet.Cli, or set Portal:Cli)");
        bool assembly = cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(assembly ? DotnetHost() : cli)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (assembly) start.ArgumentList.Add(cli);
        foreach (string argument in new[] { "resume", runFolder, "--nproc-per-node", processes.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        foreach (string name in OuterLaunch) start.Environment.Remove(name);
        // Should this process die without ending them (a crash, a kill), the ranks end with it: the job's takeover
        // by another worker then resumes the run alone.
        start.Environment[Launcher.StopWithVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return start;
    }

    /// <summary>The dotnet host running this process, else the one the SDK names (tests), else the one on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : "dotnet";

    private static string Describe(ProcessStartInfo start) => string.Join(" ", new[] { start.FileName }.Concat(start.ArgumentList));

    /// <summary>Reports rank 0's events recorded since <paramref name="read"/>; returns where the next read starts.</summary>
    private static long Forward(string events, long read, IProgress<TrainingEvent> progress)
    {
        (List<TrainingEvent> recorded, long next) = EventsFile.ReadFrom(events, read);
        foreach (TrainingEvent e in recorded) progress.Report(e);
        return next;
    }

    private void End(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        log.LogInformation("ended the training processes (launcher pid {Pid})", process.Id);
    }
}
