using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PocketNet.Distributed.Tests;

/// <summary>One finished worker process: its rank, exit code and what it printed.</summary>
public sealed record WorkerResult(int Rank, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"rank {Rank} exited {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Starts real processes for a distributed test, each with torchrun's variables (RANK, LOCAL_RANK,
/// WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT = a free loopback port) and one intra-op thread, and
/// collects their output. A process that outlives the limit is killed and reported.
/// </summary>
public static class WorkerProcesses
{
    public static string TestAssembly => typeof(WorkerProcesses).Assembly.Location;

    public static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "pocketnet.dll");

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs `dotnet ASSEMBLY args` once per rank (args may depend on the rank) and waits for all.</summary>
    public static WorkerResult[] RunRanks(int worldSize, string assembly, Func<int, string[]> args, TimeSpan? limit = null,
        IDictionary<string, string>? environment = null)
    {
        int port = FreePort();
        var processes = Enumerable.Range(0, worldSize).Select(rank =>
        {
            var env = new Dictionary<string, string>
            {
                ["RANK"] = rank.ToString(), ["LOCAL_RANK"] = rank.ToString(), ["WORLD_SIZE"] = worldSize.ToString(),
                ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = port.ToString(),
            };
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) env[k] = v;
            return Start(assembly, args(rank), env);
        }).ToArray();
        return processes.Select((p, rank) => p.Finish(rank, limit ?? TimeSpan.FromMinutes(2))).ToArray();
    }

    /// <summary>Runs `dotnet ASSEMBLY args` once, without torchrun variables (a launcher starts its own ranks).</summary>
    public static WorkerResult RunOnce(string assembly, string[] args, TimeSpan? limit = null) =>
        Start(assembly, args, new Dictionary<string, string>()).Finish(0, limit ?? TimeSpan.FromMinutes(2));

    public static Running Start(string assembly, string[] args, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (string name in new[] { "RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "OMP_WAIT_POLICY" }) start.Environment.Remove(name);
        start.Environment["POCKETNET_THREADS"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = new Process { StartInfo = start };
        var running = new Running(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (running.Output) running.Output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (running.Error) running.Error.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    public sealed class Running(Process process)
    {
        public Process Process { get; } = process;
        public StringBuilder Output { get; } = new();
        public StringBuilder Error { get; } = new();

        public WorkerResult Finish(int rank, TimeSpan limit)
        {
            if (!Process.WaitForExit(limit))
            {
                try { Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                Process.WaitForExit();
                return new WorkerResult(rank, -1, Output.ToString(), $"killed after {limit.TotalSeconds:0} s\n{Error}");
            }
            Process.WaitForExit();
            int code = Process.ExitCode;
            Process.Dispose();
            return new WorkerResult(rank, code, Output.ToString(), Error.ToString());
        }
    }
}
