using System.Globalization;
using PocketNet.Bench.Support;

namespace PocketNet.Bench.Models;

/// <summary>The command line of the bench: <c>--name value</c> options and a few switches; unknown ones are errors.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        pocketnet-bench-models [options]: training and inference throughput (images/s) of PocketNet variants,
        ours against the reference wiring under PyTorch, in the same run.
        `pocketnet-bench-models eval [options]` measures evaluation instead, through ONNX Runtime, libtorch and
        PyTorch (`eval help` lists its options).

          --models LIST       variants, comma-separated: s128, m128, s256, m256 or pocketnet-* names (s128,m128)
          --cases LIST        train, infer, flip (inference of the batch and its mirror)            (train,infer)
          --batch N           images per iteration                                                   (32)
          --size N            image size; the network's 7x7 tail needs 112                           (112)
          --classes N         ArcFace classes                                                        (1000)
          --iterations N      timed iterations per side and case                                     (5)
          --warmup N          untimed iterations per side and case first                             (1)
          --threads N         intra-op threads on both sides                                         (all cores)
          --device D          cpu, cuda or cuda:N                                                    (cpu)
          --seed N            seed of weights and input data                                         (0)
          --rewarm N          untimed iterations of a side right before its timed one in each round   (1)
          --blocks            one block of iterations per side instead of alternating every round
          --quiet-wait S      before each round (each block with --blocks) wait up to S seconds until
                              other processes use < 10% of the CPUs (shared machines)                (0: off)
          --stock-malloc      leave glibc malloc as it is in our process; by default we call
                              Engine.KeepFreedMemory() as the CLI does (PyTorch is always stock)
          --python PATH       interpreter with torch                    ($PYTHON_FOR_TORCH or /usr/bin/python3)
          --no-python         ours only
          --json PATH         result file                                     (bench/out/models-<utc>.json)
        """;

    public IReadOnlyList<string> Models { get; init; } = ["pocketnet-s-128", "pocketnet-m-128"];
    public IReadOnlyList<string> Cases { get; init; } = ["train", "infer"];
    public int Batch { get; init; } = 32;
    public int Size { get; init; } = 112;
    public int Classes { get; init; } = 1000;
    public int Iterations { get; init; } = 5;
    public int Warmup { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string Device { get; init; } = "cpu";
    public int Seed { get; init; }
    public int QuietWait { get; init; }
    public bool StockMalloc { get; init; }
    public bool Blocks { get; init; }
    public int Rewarm { get; init; } = 1;
    public string Python { get; init; } = PythonServer.DefaultInterpreter;
    public bool NoPython { get; init; }
    public string? JsonPath { get; init; }

    /// <summary>Case names as the python script and the JSON spell them.</summary>
    public static readonly IReadOnlyDictionary<string, string> CaseNames = new Dictionary<string, string>
    {
        ["train"] = "train", ["infer"] = "infer", ["flip"] = "infer_flip", ["infer_flip"] = "infer_flip",
    };

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int(int min) => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min
                ? v : throw new ArgumentException($"{name} needs an integer >= {min}");
            options = name switch
            {
                "--models" => options with { Models = List(Value()).Select(ModelName).ToList() },
                "--cases" => options with { Cases = List(Value()).Select(CaseName).Distinct().ToList() },
                "--batch" => options with { Batch = Int(1) },
                "--size" => options with { Size = Int(8) },
                "--classes" => options with { Classes = Int(2) },
                "--iterations" => options with { Iterations = Int(1) },
                "--warmup" => options with { Warmup = Int(0) },
                "--threads" => options with { Threads = Int(1) },
                "--device" => options with { Device = Value() },
                "--seed" => options with { Seed = Int(0) },
                "--quiet-wait" => options with { QuietWait = Int(0) },
                "--python" => options with { Python = Value() },
                "--no-python" => options with { NoPython = true },
                "--stock-malloc" => options with { StockMalloc = true },
                "--blocks" => options with { Blocks = true },
                "--rewarm" => options with { Rewarm = Int(0) },
                "--json" => options with { JsonPath = Value() },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        if (options.Models.Count == 0 || options.Cases.Count == 0) throw new ArgumentException("--models and --cases need at least one entry");
        return options;
    }

    internal static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>s128 -> pocketnet-s-128 (the short forms of the four PocketNet variants); other names pass through.</summary>
    internal static string ModelName(string value) => value.ToLowerInvariant() switch
    {
        "s128" => "pocketnet-s-128",
        "s256" => "pocketnet-s-256",
        "m128" => "pocketnet-m-128",
        "m256" => "pocketnet-m-256",
        var other => other.StartsWith("pocketnet-", StringComparison.Ordinal)
            ? other
            : throw new ArgumentException($"unknown model '{value}': the python side knows the PocketNet variants only (s128, m128, s256, m256)"),
    };

    private static string CaseName(string value) => CaseNames.TryGetValue(value.ToLowerInvariant(), out string? name)
        ? name : throw new ArgumentException($"unknown case '{value}' (train, infer, flip)");
}
