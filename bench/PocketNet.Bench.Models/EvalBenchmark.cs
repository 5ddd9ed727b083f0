using System.Globalization;
using System.Text;
using System.Text.Json;
using PocketNet.Bench.Support;
using PocketNet.Evaluation;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Torch;

namespace PocketNet.Bench.Models;

/// <summary>
/// The <c>eval</c> mode: images/s of evaluation (eval mode, no gradients, a fixed batch of aligned 112x112 faces,
/// optionally with the mirrored batch) through ONNX Runtime, our libtorch engine and PyTorch in eager mode, in the
/// same run. The two in-process paths go through the evaluation's own <see cref="IEmbeddingModel"/>s; the ONNX model
/// is the registry network exported by <see cref="OnnxExporter"/>, as <c>eval --runtime onnx</c> does. Rounds rotate
/// which path goes first, and every path re-warms right before its timed iteration (see bench/README.md).
/// </summary>
public static class EvalBenchmark
{
    // OurModel and the python side also build an ArcFace head, unused here; only its size has to agree, for the
    // weight checksums that tell whether both sides drew the same weights.
    private const int HeadClasses = 1000;
    private const int ImageSize = OnnxExporter.ImageSize;
    private const string Libtorch = "libtorch";

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count > 0 && args[0] is "help" or "--help" or "-h")
        {
            Console.WriteLine(EvalOptions.Usage);
            return 0;
        }
        EvalOptions options;
        try
        {
            options = EvalOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n\n{EvalOptions.Usage}");
            return 2;
        }
        Engine.Threads = options.Threads;
        // As the CLI does before it evaluates (src/PocketNet.Cli/Program.cs): without it every libtorch forward
        // faults its activations in again (bench/RESULTS.md, model throughput, finding 4).
        string malloc = Engine.KeepFreedMemory();
        MachineInfo machine = MachineInfo.Collect();
        LibtorchInfo libtorch = LibtorchInfo.Collect();
        Console.WriteLine($"pocketnet-bench-models eval: {string.Join(", ", options.Models)} | {string.Join(", ", options.Cases)} | " +
                          $"batch {options.Batch}, {ImageSize}x{ImageSize} | {options.Warmup} warm-up per path, then {options.Iterations} rounds, " +
                          $"{options.Rewarm} re-warm-up per path and round | {options.Threads} threads on every path | " +
                          $"ONNX Runtime {OnnxRuntime.Version} (NuGet, {string.Join(", ", OnnxRuntime.AvailableProviders)}) | libtorch process: {malloc}");
        Console.WriteLine($"{machine.LogicalCpus} CPUs ({machine.CpuModel}), {machine.MemoryGib} GiB, libtorch {libtorch.Version}, load average {machine.LoadAverage}");
        if (machine.BusyWarning is { } busy) Console.WriteLine(busy);

        var pythons = new List<(string Name, string Malloc, PythonModels Process)>();
        var results = new List<EvalResult>();
        var facts = new Dictionary<string, object>();
        try
        {
            if (!options.NoPython)
                foreach (string setting in options.PyTorchMalloc)
                    pythons.Add(($"pytorch[{setting}]", setting, new PythonModels(options.Python)));
            foreach (string model in options.Models)
            {
                facts[model] = RunModel(model, options, pythons, results);
                foreach (var python in pythons) python.Process.Send(new { op = "release", model });
            }
        }
        finally
        {
            foreach (var python in pythons) python.Process.Dispose();
        }
        string loadAfter = MachineInfo.ReadLoadAverage();

        var baselines = pythons.Select(p => p.Name).ToList();
        Console.WriteLine();
        Console.WriteLine(EvalReport.Summary(results, baselines));
        Console.WriteLine(EvalReport.Detail(results, baselines.FirstOrDefault()));
        Console.WriteLine($"load average before {machine.LoadAverage}, after {loadAfter}");

        string path = options.JsonPath ?? RepoPaths.ResultFile("eval");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = new
        {
            Benchmark = "models eval",
            Options = options,
            LibtorchMalloc = malloc,
            OnnxRuntime = new { OnnxRuntime.Version, OnnxRuntime.AvailableProviders },
            Machine = machine,
            Libtorch = libtorch,
            LoadAverageAfter = loadAfter,
            // per model: the export, how far the ONNX outputs are from libtorch's, what each python process reported
            Models = facts,
            Results = results.Select(r => new
            {
                r.Model, r.Case, r.Batch,
                Paths = r.Paths.Select(p => new
                {
                    Path = p, Summary = r.SummaryOf(p),
                    Ratios = baselines.ToDictionary(b => b, b => new { Median = r.Ratio(p, b), Paired = r.PairedRatio(p, b), Clean = r.CleanRatio(p, b) }),
                    Samples = r.SamplesOf(p),
                }),
            }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json, Report.JsonOptions), new UTF8Encoding(false));
        Console.WriteLine($"results written to {path}");
        return 0;
    }

    /// <summary>Sets up every path for one model, checks they compute the same network, and runs its cases.</summary>
    private static object RunModel(string model, EvalOptions options, List<(string Name, string Malloc, PythonModels Process)> pythons, List<EvalResult> results)
    {
        var pythonFacts = new Dictionary<string, JsonElement>();
        foreach (var (name, setting, process) in pythons)
            pythonFacts[name] = process.Send(new
            {
                op = "setup", model, batch = options.Batch, size = ImageSize, classes = HeadClasses,
                threads = options.Threads, device = "cpu", seed = options.Seed, malloc = setting,
            });
        using var ours = new OurModel(model, options.Batch, ImageSize, HeadClasses, Device.Cpu, options.Seed);
        var sameStart = new List<string>();
        foreach (var (name, reply) in pythonFacts)
        {
            if (reply.GetProperty("parameters").GetInt64() != ours.Parameters)
                throw new InvalidOperationException($"{model}: {ours.Parameters} parameters here, {reply.GetProperty("parameters").GetInt64()} in {name}");
            if (reply.GetProperty("threads").GetInt32() != options.Threads)
                throw new InvalidOperationException($"{name} runs {reply.GetProperty("threads").GetInt32()} threads, not {options.Threads}");
            // Identical weights are not needed for speed, but they rule out data-dependent kernels (denormals) as a cause of any difference.
            bool same = Same(reply.GetProperty("weights_checksum").GetDouble(), ours.WeightsChecksum) && Same(reply.GetProperty("input_checksum").GetDouble(), ours.InputChecksum);
            sameStart.Add($"{name}: {(same ? "identical weights and input" : "WARNING: weights or input differ")} ({reply.GetProperty("malloc").GetString()})");
        }

        string onnxFile = Path.Combine(RepoPaths.OutDir, $"eval-{model}.onnx");
        OnnxExportResult export = OnnxExporter.Export(ours.Backbone, ModelRegistry.Resolve(model), onnxFile);
        Console.WriteLine($"{model}: {ours.Parameters:N0} parameters; ONNX export: {export.NodeCount} nodes " +
                          $"({string.Join(", ", export.Operators.Select(o => $"{o.Key} {o.Value}"))}), {export.FoldedBatchNorms} batch norms folded, " +
                          $"{export.Bytes / 1024.0:F0} KiB, {export.Path}");
        foreach (string line in sameStart) Console.WriteLine($"  {line}");

        float[] images = ours.Images.ToArray<float>();
        var onnxModels = new List<OnnxEmbeddingModel>();
        try
        {
            var paths = new List<(string Name, Func<string, Sample> Run)>();
            var agreement = new Dictionary<string, double>();
            var libtorch = new EmbeddingPath(new TorchEmbeddingModel(ours.Backbone), images, options.Batch, ImageSize);
            float[] reference = libtorch.Embed();
            foreach (string graph in options.OnnxGraphs)
            {
                string file = graph == OnnxGraphVariant.Exported ? onnxFile : Path.ChangeExtension(onnxFile, $".{graph}.onnx");
                if (graph != OnnxGraphVariant.Exported) Console.WriteLine($"  ONNX graph {graph}: {OnnxGraphVariant.Write(onnxFile, graph, file)}");
                foreach (GraphOptimizationLevel level in options.OnnxLevels)
                {
                    var session = OnnxEmbeddingModel.Open(file, new OnnxSessionOptions { IntraOpThreads = options.Threads, OptimizationLevel = level });
                    onnxModels.Add(session);
                    string name = $"onnx[{level.ToString().ToLowerInvariant()}{(graph == OnnxGraphVariant.Exported ? "" : "," + graph)}]";
                    var path = new EmbeddingPath(session, images, options.Batch, ImageSize);
                    // Batch norms are folded and the variants rewritten, so the paths differ from libtorch by rounding only;
                    // a large value would mean another network was timed.
                    agreement[name] = RelativeMaxDifference(path.Embed(), reference);
                    Console.WriteLine(Invariant($"  {name} against libtorch: max |difference| / max |embedding| = {agreement[name]:E1}"));
                    paths.Add((name, WithLoad(path.Run)));
                }
            }
            paths.Add((Libtorch, WithLoad(libtorch.Run)));
            foreach (var (name, _, process) in pythons)
                paths.Add((name, evalCase =>
                {
                    var probe = LoadProbe.Start();
                    Sample sample = process.Run(model, EvalOptions.PythonCase(evalCase));
                    return sample with { OtherLoad = probe.OtherLoad(sample.CpuMs) };
                }));

            foreach (string evalCase in options.Cases) results.Add(RunCase(model, evalCase, options, paths));
            return new { Export = export, OnnxAgainstLibtorch = agreement, Pytorch = pythonFacts };
        }
        finally
        {
            foreach (OnnxEmbeddingModel session in onnxModels) session.Dispose();
        }
    }

    private static EvalResult RunCase(string model, string evalCase, EvalOptions options, List<(string Name, Func<string, Sample> Run)> paths)
    {
        foreach (var (name, run) in paths)
            for (int i = 0; i < options.Warmup; i++) Console.WriteLine($"  {evalCase} {name} warm-up {i + 1}/{options.Warmup}: {Describe(run(evalCase))}");
        var samples = paths.Select(_ => new List<Sample>()).ToList();
        for (int round = 0; round < options.Iterations; round++)
        {
            if (options.QuietWait > 0)
            {
                TimeSpan waited = LoadProbe.WaitForQuiet(TimeSpan.FromSeconds(options.QuietWait));
                if (waited.TotalSeconds >= 1) Console.WriteLine(Invariant($"  (waited {waited.TotalSeconds:F0} s for other processes to quieten)"));
            }
            // Who goes first rotates. Each path re-warms (untimed) right before its timed iteration: on this kind of VM
            // the first iteration after another process ran pays several times more per page fault.
            var line = new List<string>();
            for (int k = 0; k < paths.Count; k++)
            {
                int p = (round + k) % paths.Count;
                var (name, run) = paths[p];
                for (int i = 0; i < options.Rewarm; i++) run(evalCase);
                samples[p].Add(run(evalCase));
                line.Add($"{name} {Describe(samples[p][^1])}");
            }
            Console.WriteLine($"  {evalCase} round {round + 1}/{options.Iterations}: {string.Join(", ", line)}");
        }
        return new EvalResult(model, evalCase, options.Batch, paths.Select(p => p.Name).ToList(), samples);
    }

    private static Func<string, Sample> WithLoad(Func<string, Sample> run) => evalCase =>
    {
        var probe = LoadProbe.Start();
        Sample sample = run(evalCase);
        return sample with { OtherLoad = probe.OtherLoad() };
    };

    private static double RelativeMaxDifference(float[] values, float[] reference)
    {
        double difference = 0, scale = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            difference = Math.Max(difference, Math.Abs(values[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        return scale > 0 ? difference / scale : difference;
    }

    private static bool Same(double theirs, double mine) => Math.Abs(theirs - mine) <= 1e-9 * Math.Abs(mine);

    private static string Describe(Sample s) => Invariant($"{s.Ms:F0} ms (others {s.OtherLoad:P0})");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
