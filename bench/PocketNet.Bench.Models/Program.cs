using System.Globalization;
using System.Text;
using System.Text.Json;
using PocketNet.Bench.Models;
using PocketNet.Bench.Support;
using PocketNet.Torch;

if (args.Length > 0 && args[0] == "eval") return EvalBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] is "help" or "--help" or "-h")
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n\n{BenchOptions.Usage}");
    return 2;
}

Device device = Device.Parse(options.Device);
if (device.IsCuda && Engine.CudaDeviceCount <= device.Index)
{
    Console.Error.WriteLine($"error: --device {options.Device}, but libtorch sees {Engine.CudaDeviceCount} CUDA devices");
    return 2;
}
Engine.Threads = options.Threads;
// As the CLI starts a training or evaluation run (src/PocketNet.Cli/Program.cs); --stock-malloc compares like with like.
string malloc = options.StockMalloc ? "stock glibc malloc" : "Engine.KeepFreedMemory(): " + Engine.KeepFreedMemory();
MachineInfo machine = MachineInfo.Collect();
LibtorchInfo libtorch = LibtorchInfo.Collect();
Console.WriteLine($"pocketnet-bench-models: {string.Join(", ", options.Models)} | {string.Join(", ", options.Cases)} | batch {options.Batch}, " +
                  $"{options.Size}x{options.Size}, {options.Classes} classes | {options.Warmup} warm-up + {options.Iterations} timed iterations per side, " +
                  (options.Blocks ? "in blocks" : $"interleaved, {options.Rewarm} re-warm-up per side and round") + " | " +
                  $"{Engine.Threads} threads | {device} | ours: {malloc}");
Console.WriteLine($"{machine.LogicalCpus} CPUs ({machine.CpuModel}), {machine.MemoryGib} GiB, libtorch {libtorch.Version}, load average {machine.LoadAverage}");
if (machine.BusyWarning is { } busy) Console.WriteLine(busy);

var results = new List<CaseResult>();
var pythonFacts = new Dictionary<string, JsonElement>();
var ourChecksums = new Dictionary<string, double[]>();
int blockOrder = 0;
using PythonModels? python = options.NoPython ? null : new PythonModels(options.Python);
foreach (string model in options.Models)
{
    var setup = new
    {
        op = "setup", model, batch = options.Batch, size = options.Size, classes = options.Classes,
        threads = options.Threads, device = options.Device, seed = options.Seed,
    };
    if (python is not null) pythonFacts[model] = python.Send(setup);
    using var ours = new OurModel(model, options.Batch, options.Size, options.Classes, device, options.Seed);
    if (python is not null)
    {
        long theirs = pythonFacts[model].GetProperty("parameters").GetInt64();
        if (theirs != ours.Parameters) throw new InvalidOperationException($"{model}: {ours.Parameters} parameters here, {theirs} in the reference");
        int threads = pythonFacts[model].GetProperty("threads").GetInt32();
        if (threads != Engine.Threads) throw new InvalidOperationException($"PyTorch runs {threads} threads, we run {Engine.Threads}");
    }
    ourChecksums[model] = [ours.WeightsChecksum, ours.InputChecksum];
    string sameStart = "";
    if (python is not null)
    {
        // Both sides run libtorch's generator from the same seed; identical weights and inputs make the
        // comparison exact (the same arithmetic, down to denormals, on both sides).
        bool Same(string key, double mine) => Math.Abs(pythonFacts[model].GetProperty(key).GetDouble() - mine) <= 1e-9 * Math.Abs(mine);
        sameStart = Same("weights_checksum", ours.WeightsChecksum) && Same("input_checksum", ours.InputChecksum)
            ? ", identical initial weights and inputs on both sides"
            : $", WARNING: weights or inputs differ between the sides (checksums {ours.WeightsChecksum:R}/{ours.InputChecksum:R} vs " +
              $"{pythonFacts[model].GetProperty("weights_checksum").GetDouble():R}/{pythonFacts[model].GetProperty("input_checksum").GetDouble():R})";
    }
    Console.WriteLine($"{model}: {ours.Parameters:N0} parameters{sameStart}");

    foreach (string benchCase in options.Cases)
    {
        Sample Ours()
        {
            var probe = LoadProbe.Start();
            Sample sample = ours.Run(benchCase);
            return sample with { OtherLoad = probe.OtherLoad() };
        }
        Sample PyTorch()
        {
            var probe = LoadProbe.Start();
            Sample sample = python!.Run(model, benchCase);
            return sample with { OtherLoad = probe.OtherLoad(sample.CpuMs) };
        }
        static string Describe(Sample s) => Invariant($"{s.Ms:F0} ms (others {s.OtherLoad:P0})");

        void WaitForQuiet()
        {
            if (options.QuietWait <= 0) return;
            TimeSpan waited = LoadProbe.WaitForQuiet(TimeSpan.FromSeconds(options.QuietWait));
            if (waited.TotalSeconds >= 1) Console.WriteLine(Invariant($"  (waited {waited.TotalSeconds:F0} s for other processes to quieten)"));
        }

        var oursSamples = new List<Sample>();
        var pySamples = new List<Sample>();
        var sides = new List<(string Name, Func<Sample> Run, List<Sample> Samples)> { ("ours", Ours, oursSamples) };
        if (python is not null) sides.Add(("PyTorch", PyTorch, pySamples));
        if (options.Blocks)
        {
            // One block per side, the timed iterations back to back; which side goes first alternates per case.
            if (blockOrder++ % 2 == 0) sides.Reverse();
            foreach (var (name, run, samples) in sides)
            {
                WaitForQuiet();
                for (int i = 0; i < options.Warmup; i++) Console.WriteLine($"  {benchCase} {name} warm-up {i + 1}/{options.Warmup}: {Describe(run())}");
                for (int i = 0; i < options.Iterations; i++)
                {
                    samples.Add(run());
                    Console.WriteLine($"  {benchCase} {name} {i + 1}/{options.Iterations}: {Describe(samples[^1])}");
                }
            }
        }
        else
        {
            foreach (var (name, run, _) in sides)
                for (int i = 0; i < options.Warmup; i++) Console.WriteLine($"  {benchCase} {name} warm-up {i + 1}/{options.Warmup}: {Describe(run())}");
            for (int round = 0; round < options.Iterations; round++)
            {
                WaitForQuiet();
                // Who goes first alternates. Each side re-warms (untimed) before its timed iteration: on this kind of
                // VM the first iteration after the other process ran pays several times more per page fault.
                var line = new List<string>();
                foreach (var (name, run, samples) in round % 2 == 0 ? sides : Enumerable.Reverse(sides))
                {
                    for (int i = 0; i < options.Rewarm; i++) run();
                    samples.Add(run());
                    line.Add($"{name} {Describe(samples[^1])}");
                }
                Console.WriteLine($"  {benchCase} round {round + 1}/{options.Iterations}: {string.Join(", ", line)}");
            }
        }
        results.Add(new CaseResult(model, benchCase, options.Batch, oursSamples, pySamples, !options.Blocks));
    }
    python?.Send(new { op = "release", model });
}
string loadAfter = MachineInfo.ReadLoadAverage();

Console.WriteLine();
Console.WriteLine(Report.Table(results));
Console.WriteLine(Report.Phases(results));
Console.WriteLine($"load average before {machine.LoadAverage}, after {loadAfter}");

string path = options.JsonPath ?? RepoPaths.ResultFile("models");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
var json = new
{
    Benchmark = "models",
    Options = options,
    OurMalloc = malloc,
    OurWeightsChecksums = ourChecksums,
    Machine = machine,
    Libtorch = libtorch,
    LoadAverageAfter = loadAfter,
    // per model: what the python side reported (versions, threads, parameters, checksums)
    Pytorch = pythonFacts,
    Results = results.Select(r => new
    {
        r.Model, r.Case, r.Batch, Ours = r.OursSummary, Pytorch = r.PyTorchSummary, r.Ratio, r.PairedRatio, r.MinRatio,
        r.CleanSamples, r.CleanRatio,
        OursSamples = r.Ours, PytorchSamples = r.PyTorch,
    }),
};
File.WriteAllText(path, JsonSerializer.Serialize(json, Report.JsonOptions), new UTF8Encoding(false));
Console.WriteLine($"results written to {path}");
return 0;

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
