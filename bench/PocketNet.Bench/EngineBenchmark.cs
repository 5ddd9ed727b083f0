using System.Text.Json;
using PocketNet.Bench.Support;
using PocketNet.Torch;

namespace PocketNet.Bench;

/// <summary>
/// `engine`: our engine against PyTorch on the same libtorch, in the same run. The python reference
/// runs as a subprocess in serve mode and the two sides alternate round by round (python, ours, ours,
/// python, ...), so both see the same machine load even on a shared, noisy host.
/// </summary>
public sealed class EngineBenchmark : IBenchmark
{
    private static readonly string[] AllCases = ["block", "net", "call"];

    public string Name => "engine";

    public string Summary => "forward+backward of a PocketNet block and of a small face net, and the cost of one binding call, vs PyTorch";

    public string Usage => """
        usage: dotnet run -c Release --project bench/PocketNet.Bench -- engine [options]

        cases (--cases, comma-separated; default all):
          block   forward+backward (training mode) of one depthwise-separable block
                  PReLU(C) -> depthwise 3x3 -> 1x1 conv C->C -> BatchNorm2d, input [batch, C, S, S]
          net     forward+backward (training mode) of FaceNetLite on [batch, 3, size, size]
          call    microseconds per binding call: `x + 1` on a 1-element tensor, and `Dim`

        options:
          --batch N            batch size of block and net (default 32)
          --size N             image size of net (default 112; the GDC tail expects 7x7 at 112)
          --block-channels N   C of the block case (default 64)
          --block-size N       spatial size S of the block case (default 56)
          --embedding N        embedding size of net (default 128)
          --iterations N       timed iterations per side of block and net (default: block 20, net 10)
          --warmup N           untimed iterations per side before timing (default 3)
          --threads N          intra-op threads on both sides (default: number of cores)
          --calls N            calls per round in the call case (default 100000)
          --rounds N           timed rounds per side in the call case (default 7)
          --seed N             RNG seed on both sides (default 0)
          --python PATH        python with torch (default: $PYTHON_FOR_TORCH, else /usr/bin/python3)
          --no-python          measure ours only
          --malloc-keep        experiment: make glibc keep freed memory in OUR process only (mallopt), to
                               show what returning each step's activations to the kernel costs
          --json PATH          where to write the result JSON (default bench/out/engine-<utc time>.json)

        Times are medians over the timed iterations. ratio = PyTorch median / our median:
        >= 1.00 means we are as fast as PyTorch or faster.
        """;

    public int Run(Options options)
    {
        var s = new EngineSettings(
            Cases: options.List("cases", AllCases),
            Batch: options.Int("batch", 32),
            Size: options.Int("size", 112),
            BlockChannels: options.Int("block-channels", 64),
            BlockSize: options.Int("block-size", 56),
            Embedding: options.Int("embedding", 128),
            Iterations: options.OptionalInt("iterations"),
            Warmup: options.Int("warmup", 3, min: 0),
            Threads: options.Int("threads", Environment.ProcessorCount),
            Calls: options.Int("calls", 100_000),
            Rounds: options.Int("rounds", 7),
            Seed: options.Int("seed", 0, min: 0));
        string python = options.String("python", PythonServer.DefaultInterpreter)!;
        bool noPython = options.Flag("no-python");
        bool mallocKeep = options.Flag("malloc-keep");
        string? jsonPath = options.String("json");
        options.ThrowIfUnread();
        foreach (string c in s.Cases)
            if (!AllCases.Contains(c)) throw new OptionException($"unknown case '{c}' (known: {string.Join(", ", AllCases)})");

        string? malloc = mallocKeep ? PocketNet.Torch.Engine.KeepFreedMemory() : null;
        if (malloc is not null) Console.WriteLine($"--malloc-keep (ours only): {malloc}");
        Engine.Threads = s.Threads;
        Engine.ManualSeed((ulong)s.Seed);
        var machine = MachineInfo.Collect();
        var libtorch = LibtorchInfo.Collect();
        Console.WriteLine($"engine benchmark: libtorch {libtorch.Version}, {Engine.Threads} thread(s), " +
                          $"{machine.LogicalCpus} logical CPU(s), {machine.CpuModel}, load average {machine.LoadAverage}");
        if (machine.BusyWarning is { } busy) Console.WriteLine(busy + " (rounds alternate between the sides, so ratios stay comparable)");
        Console.WriteLine(noPython ? "PyTorch reference: skipped (--no-python)" : $"PyTorch reference: {python}");

        using var reference = noPython ? null : new PythonServer(python, RepoPaths.PythonScript("engine_bench.py"));
        var rows = new List<ResultRow>();
        var facts = new Dictionary<string, JsonElement>();
        foreach (string c in s.Cases)
        {
            using EngineCase bench = c switch
            {
                "block" => new BlockCase(s),
                "net" => new NetCase(s),
                _ => new CallCase(s),
            };
            JsonElement? py = reference?.Send(bench.PythonSetup());
            if (py is { } f)
            {
                facts[c] = f;
                bench.CheckReference(f);
            }
            rows.AddRange(Alternate(bench, reference, s.Warmup));
        }
        string loadAfter = MachineInfo.ReadLoadAverage();

        string table = ResultTable.Render(rows);
        Console.WriteLine();
        Console.WriteLine(table);

        string path = jsonPath ?? RepoPaths.ResultFile("engine");
        WriteJson(path, machine, libtorch, loadAfter, s, malloc, facts, rows);
        Console.WriteLine($"results written to {path}");
        return 0;
    }

    /// <summary>Warm-up on both sides, then rounds alternating python-first and ours-first.</summary>
    private static IEnumerable<ResultRow> Alternate(EngineCase bench, PythonServer? reference, int warmup)
    {
        Console.WriteLine($"[ours] {bench.Key}: {bench.Describe()}; {warmup} warm-up iteration(s), then {bench.Rounds} round(s) per side");
        bench.Warmup(warmup);
        // Start the timed rounds without garbage left over from set-up and warm-up.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var ours = new Dictionary<string, List<double>>();
        var theirs = new Dictionary<string, List<double>>();
        void Python()
        {
            if (reference is null) return;
            foreach (var property in reference.Send(new { op = "run", count = 1 }).EnumerateObject())
                Add(theirs, property.Name, property.Value.EnumerateArray().Single().GetDouble());
        }
        void Ours()
        {
            foreach (var (key, value) in bench.RunRound()) Add(ours, key, value);
        }
        for (int r = 0; r < bench.Rounds; r++)
        {
            if (r % 2 == 0) { Python(); Ours(); }
            else { Ours(); Python(); }
        }
        var rows = bench.Rows(ours.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()),
            reference is null ? null : theirs.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray())).ToList();
        foreach (var row in rows.Where(r => r.Reference is not null))
            Console.WriteLine($"[both] {row.Label}: ours {ResultTable.Format(row.Ours.Stats.Median, row.Unit)}, " +
                              $"PyTorch {ResultTable.Format(row.Reference!.Stats.Median, row.Unit)}, ratio {row.Ratio:0.00}");
        return rows;
    }

    private static void Add(Dictionary<string, List<double>> samples, string key, double value)
    {
        if (!samples.TryGetValue(key, out var list)) samples[key] = list = new List<double>();
        list.Add(value);
    }

    // ---- result file -------------------------------------------------------------------------------

    private static void WriteJson(string path, MachineInfo machine, LibtorchInfo libtorch, string loadAfter, EngineSettings s, string? malloc,
        IReadOnlyDictionary<string, JsonElement> facts, IReadOnlyList<ResultRow> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        JsonElement? any = facts.Count > 0 ? facts.Values.First() : null;
        var document = new
        {
            benchmark = "engine",
            machine,
            libtorch,
            load_average_after = loadAfter,
            settings = s,
            malloc_keep_ours_only = malloc,
            threads = new { ours = Engine.Threads, pytorch = any?.GetProperty("threads").GetInt32() },
            pytorch = any is { } r
                ? new { version = r.GetProperty("torch_version").GetString(), python = r.GetProperty("python_version").GetString() }
                : null,
            pytorch_setup = facts,
            ratio_definition = "PyTorch median / our median; >= 1 means ours is as fast or faster. " +
                               "paired_ratio: median over rounds of PyTorch time / our time in the adjacent round",
            rows = rows.Select(row => new
            {
                @case = row.Case,
                label = row.Label,
                unit = row.Unit switch
                {
                    "us" => "microseconds per call",
                    "faults" => "minor page faults per iteration",
                    _ => "milliseconds per iteration",
                },
                ours = row.Ours,
                pytorch = row.Reference,
                ratio = row.Ratio,
                paired_ratio = row.PairedRatio,
                note = row.Note,
            }),
        };
        var json = JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true,
            // Keep ">=" and "µ" readable in the file.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        });
        File.WriteAllText(path, json + Environment.NewLine);
    }
}

/// <summary>Options of the engine benchmark, shared by its cases and sent to the python side.</summary>
public sealed record EngineSettings(
    IReadOnlyList<string> Cases, int Batch, int Size, int BlockChannels, int BlockSize, int Embedding, int? Iterations,
    int Warmup, int Threads, int Calls, int Rounds, int Seed)
{
    public int IterationsOf(string c) => Iterations ?? (c == "block" ? 20 : 10);

    /// <summary>The setup command of the python reference for case <paramref name="c"/>.</summary>
    public Dictionary<string, object> PythonSetup(string c) => new()
    {
        ["op"] = "setup", ["case"] = c, ["threads"] = Threads, ["batch"] = Batch, ["size"] = Size,
        ["block_channels"] = BlockChannels, ["block_size"] = BlockSize, ["embedding"] = Embedding,
        ["warmup"] = Warmup, ["calls"] = Calls, ["seed"] = Seed,
    };
}
