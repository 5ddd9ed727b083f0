using System.Globalization;
using System.Text.Json;
using PocketNet.Bench.Support;
using PocketNet.Torch.Distributed;
using PocketNet.Training.Progress;

namespace PocketNet.Bench.Distributed;

/// <summary>
/// pocketnet-bench-distributed [throughput] [allreduce] [--steps N]: data-parallel benchmarks on this machine.
/// throughput: PocketNet-S-128 training on SynthFaces through the CLI, 1 process x 2 threads (--batch 16) against
/// 2 processes x 1 thread (--batch 8 each, with and without --sync-bn), images/s from rank 0's step events after the
/// first step.
/// allreduce: the time averaging PocketNet-S-128's gradients adds to a step, ours (bucketed and per tensor) against
/// PyTorch DDP, 2 Gloo ranks on loopback, 1 thread each.
/// </summary>
public static class Program
{
    private static readonly string Self = typeof(Program).Assembly.Location;
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "pocketnet.dll");

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "worker-allreduce")
            return AllReduceWorker.Run(int.Parse(args[1]), args[2], Enum.Parse<GradientSync>(args[3]));
        int steps = args.SkipWhile(a => a != "--steps").Skip(1).Select(int.Parse).FirstOrDefault(20);
        bool all = !args.Any(a => a is "throughput" or "allreduce" or "policy" or "precision");
        MachineInfo machine = MachineInfo.Collect();
        Console.WriteLine($"{machine.DateUtc}: {machine.Describe()}; load average {machine.LoadAverage}");
        if (machine.BusyWarning is { } warning) Console.WriteLine(warning);
        if (all || args.Contains("allreduce")) AllReduce(steps);
        if (all || args.Contains("throughput")) Throughput(
        [
            ("1 process x 2 threads, batch 16", ["--batch", "16"], new() { ["POCKETNET_THREADS"] = "2" }),
            ("2 processes x 1 thread, batch 8 each", ["--batch", "8", "--nproc-per-node", "2"], new()),
            ("2 processes x 1 thread, batch 8 each, --sync-bn", ["--batch", "8", "--sync-bn", "--nproc-per-node", "2"], new()),
        ]);
        if (all || args.Contains("precision")) Throughput(
        [
            ("1 process x 2 threads, batch 16, fp32", ["--batch", "16"], new() { ["POCKETNET_THREADS"] = "2" }),
            ("1 process x 2 threads, batch 16, --precision bf16", ["--batch", "16", "--precision", "bf16"], new() { ["POCKETNET_THREADS"] = "2" }),
        ]);
        if (all || args.Contains("policy")) Throughput(
        [
            ("1 process x 2 threads, batch 16, OMP_WAIT_POLICY=PASSIVE (our default)", ["--batch", "16"], new() { ["POCKETNET_THREADS"] = "2" }),
            ("1 process x 2 threads, batch 16, OMP_WAIT_POLICY=ACTIVE (spinning)", ["--batch", "16"], new() { ["POCKETNET_THREADS"] = "2", ["OMP_WAIT_POLICY"] = "ACTIVE" }),
            ("1 process x 2 threads, batch 16, libgomp's default", ["--batch", "16"], new() { ["POCKETNET_THREADS"] = "2", ["OMP_WAIT_POLICY"] = "" }),
        ]);
        return 0;
    }

    private static void AllReduce(int steps)
    {
        string shapes = Path.Combine(Path.GetTempPath(), $"pocketnet-ddp-shapes-{Environment.ProcessId}.json");
        var env = new Dictionary<string, string> { ["POCKETNET_THREADS"] = "1", ["OMP_NUM_THREADS"] = "1" };
        foreach (GradientSync sync in new[] { GradientSync.Bucketed, GradientSync.PerTensor })
            Console.WriteLine(Ranks.Run("dotnet", [Self, "worker-allreduce", steps.ToString(), shapes, sync.ToString()], env, worldSize: 2).Trim());
        string python = Environment.GetEnvironmentVariable("PYTHON_FOR_TORCH") is { Length: > 0 } p ? p : "/usr/bin/python3";
        Console.WriteLine(Ranks.Run(python, [Path.Combine(AppContext.BaseDirectory, "python", "ddp_bench.py"), shapes, steps.ToString(), "{port}"], env).Trim());
        File.Delete(shapes);
    }

    private static void Throughput((string Label, string[] Extra, Dictionary<string, string> Environment)[] configs)
    {
        string root = Path.Combine(Path.GetTempPath(), $"pocketnet-ddp-bench-{Environment.ProcessId}");
        try
        {
            var env = new Dictionary<string, string>();
            Ranks.Run("dotnet", [Cli, "synth", "--out", Path.Combine(root, "synth"), "--identities", "16", "--images-per-identity", "8", "--pairs", "20", "--seed", "1"], env);
            string[] train = ["train", "--model", "pocketnet-s-128", "--data", "recordio:" + Path.Combine(root, "synth", "train"), "--epochs", "1",
                "--device", "cpu", "--log-every", "1"];
            for (int c = 0; c < configs.Length; c++)
            {
                var (label, extra, environment) = configs[c];
                string run = Path.Combine(root, $"run-{c}");
                Ranks.Run("dotnet", [Cli, .. train, "--out", run, .. extra], environment);
                var steps = EventLog.Read(Path.Combine(run, "events.jsonl")).OfType<StepProgress>().ToList();
                double seconds = (steps[^1].Time - steps[0].Time).TotalSeconds;
                double imagesPerSecond = (steps.Count - 1) * 16 / seconds;
                Console.WriteLine(JsonSerializer.Serialize(new { config = label, steps = steps.Count, images_per_second = Math.Round(imagesPerSecond, 2) }));
            }
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
