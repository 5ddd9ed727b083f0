using System.Globalization;
using PocketNet.Bench.Support;
using PocketNet.Onnx.Runtime;

namespace PocketNet.Bench.Models;

/// <summary>The command line of the <c>eval</c> mode: evaluation throughput through ONNX Runtime, libtorch and PyTorch.</summary>
public sealed record EvalOptions
{
    public const string Usage = """
        pocketnet-bench-models eval [options]: evaluation throughput (images/s) of PocketNet variants, aligned
        112x112 faces embedded as the evaluation protocols do, through three paths in the same run:
        ONNX Runtime (OnnxExporter + OnnxEmbeddingModel), our libtorch engine (TorchEmbeddingModel) and the
        reference wiring under PyTorch in eager mode (bench/python/models_bench.py).

          --models LIST       variants, comma-separated: s128, m128, s256, m256 or pocketnet-* names (s128,m128)
          --cases LIST        eval (the batch), flip (the batch and its mirror, summed)               (eval,flip)
          --batch N           images per iteration                                                   (64)
          --iterations N      timed rounds; each path runs one timed iteration per round             (7)
          --warmup N          untimed iterations per path and case first                             (2)
          --rewarm N          untimed iterations of a path right before its timed one in each round   (1)
          --threads N         intra-op threads on every path                                         (all cores)
          --seed N            seed of weights and input data                                         (0)
          --onnx-levels LIST  ONNX Runtime graph optimisation levels, one path each per graph: all,
                              extended, basic, disabled                                              (all)
          --onnx-graphs LIST  ONNX models, one path each per level: exported (as evaluation runs it),
                              prelu (PRelu as Mul/Relu/Add), prelu-dw (and 1x1 depthwise scales
                              folded into the next 1x1 conv): the export changes RESULTS.md proposes
                                                                                (exported,prelu,prelu-dw)
          --pytorch LIST      PyTorch processes, one path each: stock (glibc as it is), keep (glibc
                              keeps freed memory, as Engine.KeepFreedMemory() does in ours)           (stock,keep)
          --quiet-wait S      before each round wait up to S seconds until other processes use < 10%
                              of the CPUs (shared machines)                                           (0: off)
          --python PATH       interpreter with torch                    ($PYTHON_FOR_TORCH or /usr/bin/python3)
          --no-python         ONNX Runtime and libtorch only
          --json PATH         result file                                       (bench/out/eval-<utc>.json)
        """;

    public IReadOnlyList<string> Models { get; init; } = ["pocketnet-s-128", "pocketnet-m-128"];
    public IReadOnlyList<string> Cases { get; init; } = ["eval", "eval_flip"];
    public int Batch { get; init; } = 64;
    public int Iterations { get; init; } = 7;
    public int Warmup { get; init; } = 2;
    public int Rewarm { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Seed { get; init; }
    public IReadOnlyList<GraphOptimizationLevel> OnnxLevels { get; init; } = [GraphOptimizationLevel.All];
    public IReadOnlyList<string> OnnxGraphs { get; init; } = OnnxGraphVariant.Names;
    public IReadOnlyList<string> PyTorchMalloc { get; init; } = ["stock", "keep"];
    public int QuietWait { get; init; }
    public string Python { get; init; } = PythonServer.DefaultInterpreter;
    public bool NoPython { get; init; }
    public string? JsonPath { get; init; }

    public static EvalOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EvalOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int(int min) => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min
                ? v : throw new ArgumentException($"{name} needs an integer >= {min}");
            options = name switch
            {
                "--models" => options with { Models = BenchOptions.List(Value()).Select(BenchOptions.ModelName).Distinct().ToList() },
                "--cases" => options with { Cases = BenchOptions.List(Value()).Select(CaseName).Distinct().ToList() },
                "--batch" => options with { Batch = Int(1) },
                "--iterations" => options with { Iterations = Int(1) },
                "--warmup" => options with { Warmup = Int(0) },
                "--rewarm" => options with { Rewarm = Int(0) },
                "--threads" => options with { Threads = Int(1) },
                "--seed" => options with { Seed = Int(0) },
                "--onnx-levels" => options with { OnnxLevels = BenchOptions.List(Value()).Select(OnnxSessionOptions.ParseLevel).Distinct().ToList() },
                "--onnx-graphs" => options with { OnnxGraphs = BenchOptions.List(Value()).Select(Graph).Distinct().ToList() },
                "--pytorch" => options with { PyTorchMalloc = BenchOptions.List(Value()).Select(Malloc).Distinct().ToList() },
                "--quiet-wait" => options with { QuietWait = Int(0) },
                "--python" => options with { Python = Value() },
                "--no-python" => options with { NoPython = true },
                "--json" => options with { JsonPath = Value() },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        if (options.Models.Count == 0 || options.Cases.Count == 0 || options.OnnxLevels.Count == 0 || options.OnnxGraphs.Count == 0)
            throw new ArgumentException("--models, --cases, --onnx-levels and --onnx-graphs need at least one entry");
        if (!options.NoPython && options.PyTorchMalloc.Count == 0) throw new ArgumentException("--pytorch needs at least one entry (or --no-python)");
        return options;
    }

    /// <summary>The python script's name of a case: the same forward as its inference cases.</summary>
    public static string PythonCase(string evalCase) => evalCase == "eval_flip" ? "infer_flip" : "infer";

    private static string CaseName(string value) => value.ToLowerInvariant() switch
    {
        "eval" => "eval",
        "flip" or "eval_flip" => "eval_flip",
        _ => throw new ArgumentException($"unknown case '{value}' (eval, flip)"),
    };

    private static string Graph(string value) => OnnxGraphVariant.Names.FirstOrDefault(n => n == value.ToLowerInvariant())
        ?? throw new ArgumentException($"unknown ONNX graph '{value}' ({string.Join(", ", OnnxGraphVariant.Names)})");

    private static string Malloc(string value) => value.ToLowerInvariant() is "stock" or "keep"
        ? value.ToLowerInvariant()
        : throw new ArgumentException($"unknown PyTorch malloc setting '{value}' (stock, keep)");
}
