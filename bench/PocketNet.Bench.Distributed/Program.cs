using System.Globalization;
using System.Text.Json;
using PocketNet.Bench.Support;
using PocketNet.Torch.Distributed;
using PocketNet.Training.Progress;

namespace PocketNet.Bench.Distributed;

/// <summary>
/// pocketnet-bench-distributed [throughput] [allreduce] [precision] [policy] [--steps N] [--repeat R]: data-parallel benchmarks on this machine.
/// throughput: PocketNet-S-128 training on SynthFaces through the CLI, 1 process x 2 threads (--batch 16) against
/// 2 processes x 1 thread (--batch 8 each, with and without --sync-bn), images/s from rank 0's step events after the
/// first step.
/// allreduce: the time averaging PocketNet-S-128's gradients adds to a step, ours (bucketed and per tensor) against
/// PyTorch DDP, 2 Gloo ranks on loopback, 1 thread each; R pairs of ours and DDP back to back, each pair's ratio and the median.
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
        int repeats = args.SkipWhile(a => a != "--repeat").Skip(1).Select(int.Parse).FirstOrDefault(5);
        if (all || args.Contains("allreduce")) AllReduce(steps, repeats);
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

    // Ours (bucketed) and PyTorch's DDP alternate, `repeats` pairs, each pair run back to back so that it sees one
    // load; the ratio of each pair and their median are what to read on a busy machine. The per-tensor path runs once.
    private static void AllReduce(int steps, int repeats)
    {
        string shapes = Path.Combine(Path.GetTempPath(), $"pocketnet-ddp-shapes-{Environment.ProcessId}.json");
        var env = new Dictionary<string, string> { ["POCKETNET_THREADS"] = "1", ["OMP_NUM_THREADS"] = "1" };
        string python = Environment.GetEnvironmentVariable("PYTHON_FOR_TORCH") is { Length: > 0 } p ? p : "/usr/bin/python3";
        string Ours(GradientSync sync) => Ranks.Run("dotnet", [Self, "worker-allreduce", steps.ToString(), shapes, sync.ToString()], env, worldSize: 2).Trim();
        string PyTorch() => Ranks.Run(python, [Path.Combine(AppContext.BaseDirectory, "python", "ddp_bench.py"), shapes, steps.ToString(), "{port}"], env).Trim();
        static double Milliseconds(string json) => JsonDocument.Parse(json).RootElement.GetProperty("allreduce_ms").GetDouble();
        var ratios = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            string ours = Ours(GradientSync.Bucketed), theirs = PyTorch();
            Console.WriteLine(ours);
            Console.WriteLine(theirs);
            ratios.Add(Milliseconds(theirs) / Milliseconds(ours));
            Console.WriteLine(JsonSerializer.Serialize(new { pair = r + 1, load = MachineInfo.Collect().LoadAverage, ratio_pytorch_over_ours = Math.Round(ratios[^1], 3) }));
        }
        Console.WriteLine(JsonSerializer.Serialize(new { median_ratio_pytorch_over_ours = Math.Round(AllReduceWorker.Median(ratios), 3), pairs = repeats }));
        Console.WriteLine(Ours(GradientSync.PerTensor));
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
