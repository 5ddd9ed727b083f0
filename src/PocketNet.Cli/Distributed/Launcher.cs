using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using PocketNet.Torch.Distributed;

namespace PocketNet.Cli.Distributed;

/// <summary>
/// `--nproc-per-node N [--nnodes M --node-rank R --master-addr HOST --master-port P]`: starts this node's N ranks
/// of a data-parallel job as child processes of the same command, each with torchrun's variables (RANK,
/// LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), so a worker cannot tell our launcher from torchrun. On a CPU
/// the cores are divided among the ranks (POCKETNET_THREADS, OMP_NUM_THREADS). Rank 0 prints as usual, the others
/// with a "[rank r]" prefix. When a rank fails, the launcher names it, gives the others the collective timeout
/// to stop by themselves (they report the dead peer too) and then ends them. A program that starts the launcher for
/// a job it holds (the portal's worker) names itself in <see cref="StopWithVariable"/>: when that process ends,
/// however abruptly, the launcher ends the ranks, so a job taken over elsewhere never has two sets of ranks.
/// </summary>
public sealed record Launcher(int ProcessesPerNode, int Nodes, int NodeRank, string MasterAddress, int? MasterPort)
{
    private static readonly string[] Options = ["nproc-per-node", "nnodes", "node-rank", "master-addr", "master-port"];

    /// <summary>The pid of a process whose end ends the ranks too (unset: the ranks run to their own end).</summary>
    public const string StopWithVariable = "POCKETNET_STOP_WITH_PID";

    /// <summary>Grace the other ranks get to notice a dead peer before they are ended.</summary>
    public static TimeSpan Grace => Rendezvous.DefaultTimeout + TimeSpan.FromSeconds(30);

    /// <summary>Starts the ranks and returns the job's exit code when <paramref name="args"/> ask for a launch; null otherwise.</summary>
    public static int? TryLaunch(string verb, string[] args, TextWriter output)
    {
        var (launcher, rest) = Parse(verb, args);
        return launcher?.Run(verb, rest, output);
    }

    internal static (Launcher? Launcher, string[] Remaining) Parse(string verb, string[] args)
    {
        var values = new Dictionary<string, string>();
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..].Split('=')[0] : "";
            if (!Options.Contains(name))
            {
                rest.Add(args[i]);
                continue;
            }
            int equals = args[i].IndexOf('=');
            string? value = equals >= 0 ? args[i][(equals + 1)..] : i + 1 < args.Length ? args[++i] : null;
            if (value is null) throw new ArgumentException($"{verb}: --{name} needs a value");
            if (!values.TryAdd(name, value)) throw new ArgumentException($"{verb}: --{name} is given twice");
        }
        if (values.Count == 0) return (null, args);
        if (!values.ContainsKey("nproc-per-node"))
            throw new ArgumentException($"{verb}: --{values.Keys.First()} needs --nproc-per-node (the ranks to start on this host)");
        if (Rendezvous.FromEnvironment() is not null)
            throw new ArgumentException($"{verb}: --nproc-per-node inside a process that already is a rank (WORLD_SIZE is set)");
        int Number(string name, int fallback, int min) =>
            !values.TryGetValue(name, out string? text) ? fallback
            : int.TryParse(text, out int n) && n >= min ? n
            : throw new ArgumentException($"{verb}: --{name} must be an integer of at least {min}, not '{text}'");
        var launcher = new Launcher(Number("nproc-per-node", 1, 1), Number("nnodes", 1, 1), Number("node-rank", 0, 0),
            values.GetValueOrDefault("master-addr") ?? "127.0.0.1", values.ContainsKey("master-port") ? Number("master-port", 0, 1) : null);
        if (launcher.NodeRank >= launcher.Nodes)
            throw new ArgumentException($"{verb}: --node-rank {launcher.NodeRank} is not below --nnodes {launcher.Nodes}");
        if (launcher.Nodes > 1 && launcher.MasterPort is null)
            throw new ArgumentException($"{verb}: several nodes need --master-addr and --master-port (the same on every node)");
        return (launcher, rest.ToArray());
    }

    private int Run(string verb, string[] args, TextWriter output)
    {
        Func<bool> ownerGone = Owner(verb);
        int worldSize = ProcessesPerNode * Nodes;
        int port = MasterPort ?? FreeLoopbackPort();
        int threads = Environment.GetEnvironmentVariable(PocketNet.Torch.EngineThreads.Variable) is { } t && int.TryParse(t, out int n) && n > 0
            ? n
            : Math.Max(1, Environment.ProcessorCount / ProcessesPerNode);
        output.WriteLine($"{verb}: starting ranks {NodeRank * ProcessesPerNode}..{(NodeRank + 1) * ProcessesPerNode - 1} of {worldSize} " +
                         $"(master {MasterAddress}:{port}, {threads} thread(s) each)");
        var ranks = new List<(int Rank, Process Process)>();
        try
        {
            for (int local = 0; local < ProcessesPerNode; local++)
            {
                int rank = NodeRank * ProcessesPerNode + local;
                ranks.Add((rank, StartRank(verb, args, rank, local, worldSize, port, threads, output)));
            }
            return Supervise(ranks, ownerGone, output);
        }
        finally
        {
            foreach (var (_, process) in ranks)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    private Process StartRank(string verb, string[] args, int rank, int localRank, int worldSize, int port, int threads, TextWriter output)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program to start for the ranks");
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly to start"));
        start.ArgumentList.Add(verb);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment[Rendezvous.RankVariable] = rank.ToString();
        start.Environment[Rendezvous.LocalRankVariable] = localRank.ToString();
        start.Environment[Rendezvous.WorldSizeVariable] = worldSize.ToString();
        start.Environment["LOCAL_WORLD_SIZE"] = ProcessesPerNode.ToString();
        start.Environment[Rendezvous.MasterAddressVariable] = MasterAddress;
        start.Environment[Rendezvous.MasterPortVariable] = port.ToString();
        start.Environment[PocketNet.Torch.EngineThreads.Variable] = threads.ToString();
        start.Environment["OMP_NUM_THREADS"] = threads.ToString();
        var process = new Process { StartInfo = start };
        string prefix = rank == 0 ? "" : $"[rank {rank}] ";
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && rank == 0) lock (output) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) Console.Error.WriteLine(prefix + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    // Waits for every rank; the first failure is named, the others get the grace to stop, then are ended.
    private static int Supervise(List<(int Rank, Process Process)> ranks, Func<bool> ownerGone, TextWriter output)
    {
        (int Rank, int Code)? failure = null;
        DateTime? deadline = null;
        while (ranks.Any(r => !r.Process.HasExited))
        {
            if (ownerGone())
            {
                lock (output) output.WriteLine($"the process that started this job ({StopWithVariable}) has ended; ending the ranks");
                foreach (var (_, process) in ranks.Where(r => !r.Process.HasExited)) process.Kill(entireProcessTree: true);
                foreach (var (_, process) in ranks) process.WaitForExit();
                return 1;
            }
            foreach (var (rank, process) in ranks)
                if (failure is null && process.HasExited && process.ExitCode != 0)
                {
                    failure = (rank, process.ExitCode);
                    deadline = DateTime.UtcNow + Grace;
                    lock (output) output.WriteLine($"rank {rank} (pid {process.Id}) exited with code {process.ExitCode}{Signal(process.ExitCode)}; waiting for the other ranks to stop");
                }
            if (deadline is { } d && DateTime.UtcNow > d)
            {
                foreach (var (rank, process) in ranks.Where(r => !r.Process.HasExited))
                {
                    lock (output) output.WriteLine($"rank {rank} did not stop within {Grace.TotalSeconds:0} s; ending it");
                    process.Kill(entireProcessTree: true);
                }
                break;
            }
            Thread.Sleep(100);
        }
        foreach (var (_, process) in ranks) process.WaitForExit();
        if (failure is null)
            failure = ranks.Where(r => r.Process.ExitCode != 0).Select(r => ((int, int)?)(r.Rank, r.Process.ExitCode)).FirstOrDefault();
        if (failure is { } f)
        {
            lock (output) output.WriteLine($"the job failed: rank {f.Rank} exited with code {f.Code}{Signal(f.Code)}");
            return f.Code == 130 ? 130 : 1;
        }
        return 0;
    }

    /// <summary>
    /// Whether the process named by <see cref="StopWithVariable"/> has ended; never, when none is named. The process is
    /// known by its pid and start time, so a pid reused by another program does not pass for it.
    /// </summary>
    private static Func<bool> Owner(string verb)
    {
        string? text = Environment.GetEnvironmentVariable(StopWithVariable);
        if (string.IsNullOrEmpty(text)) return () => false;
        if (!int.TryParse(text, out int pid) || pid <= 0) throw new ArgumentException($"{verb}: {StopWithVariable} must be a process id, not '{text}'");
        DateTime started;
        try
        {
            using Process owner = Process.GetProcessById(pid);
            started = owner.StartTime;
        }
        catch (ArgumentException)
        {
            return () => true; // gone already: the ranks are ended as soon as they start
        }
        return () =>
        {
            try
            {
                using Process owner = Process.GetProcessById(pid);
                return owner.HasExited || owner.StartTime != started;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return true;
            }
        };
    }

    private static string Signal(int code) => code > 128 && code < 160 ? $" (signal {code - 128})" : "";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
