using System.Text.Json;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Models;
using PocketNet.Data.Registry;
using PocketNet.Onnx.Runtime;
using PocketNet.Torch;
using PocketNet.Training.Progress;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet eval --model NAME_OR_DIR|MODEL.onnx [--weights W] [--runtime libtorch|onnx] --benchmarks lfw,cfp_fp,... [--dump DIR] [--out results.json]`:
/// evaluates by each benchmark's published protocol, prints a table and writes the full results (ROC points included) as JSON.
/// `--runtime onnx` exports the model and runs it through ONNX Runtime (its session options from the --onnx-* flags);
/// a .onnx file is an external model ([N, 3, 112, 112] in, [N, E] out), always run by ONNX Runtime, its size read from the graph.
/// </summary>
public sealed class EvalCommand : ICommand
{
    public string Name => "eval";

    public string Summary => "evaluate a model on benchmarks of the registry (table + JSON; --dump writes per-pair scores)";

    public string Usage =>
        """
        pocketnet eval --model NAME|DIR|M.onnx --benchmarks lfw,cfp_fp,... [--weights W] [--embedding E]
                       [--runtime libtorch|onnx] [--out results.json] [--dump DIR] [--batch 64] [--device auto]
                       [--onnx-threads 0] [--onnx-optimization all] [--onnx-profile PREFIX]
          --model              a registry name (with --weights), a model folder, or an .onnx file (an external model)
          --benchmarks         comma-separated registry names (see `pocketnet benchmarks`) or paths of .bin pair sets
          --runtime            libtorch (default for our models) or onnx (ONNX Runtime on the exported model)
          --out                the JSON to write (default: DIR/results.json for a folder, else results.json)
          --dump               write every pair's score into DIR
          --batch              images per forward pass (default 64)
          --device             auto, cpu, cuda or cuda:N (default auto); ONNX Runtime uses its CUDA provider there
                               when built with -p:OnnxRuntimeGpu=true, else the CPU
          --onnx-threads       ONNX Runtime's intra-op threads (default 0: one per physical core)
          --onnx-optimization  ONNX Runtime's graph optimisation: all, extended, basic or disabled (default all)
          --onnx-profile       profile ONNX Runtime's runs into PREFIX_<date>_<time>.json (a Chrome trace)
          --data-root, --synth-root, --registry   as for `pocketnet benchmarks`
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        string model = a.Required("model", "a registry name (with --weights), a model folder or an .onnx file");
        string? weights = a.Optional("weights");
        bool external = ModelLoader.IsOnnxFile(model);
        EvaluationRuntime runtime = EvaluationNames.Runtime.Parse(a.Optional("runtime") ?? (external ? "onnx" : "libtorch"));
        if (external && runtime != EvaluationRuntime.Onnx)
            throw new ArgumentException($"'{model}' is an ONNX model: only --runtime onnx runs it");
        if (external && weights is not null) throw new ArgumentException($"'{model}' is an ONNX model and holds its weights: drop --weights");
        int? embedding = a.OptionalInt("embedding");
        string[] benchmarks = a.Required("benchmarks", "comma-separated names (see `pocketnet benchmarks`) or .bin pair-set paths")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? dump = a.Optional("dump");
        string json = a.Optional("out") ?? (Directory.Exists(model) ? new ModelFolder(model).Results : ModelFolder.ResultsFile);
        int batch = a.Int("batch", 64, 1, 4096);
        Device device = Device.Parse(a.Optional("device") ?? "auto");
        if (runtime != EvaluationRuntime.Onnx && new[] { "onnx-threads", "onnx-optimization", "onnx-profile" }.FirstOrDefault(n => a.Optional(n) is not null) is { } unused)
            throw new ArgumentException($"--{unused} sets ONNX Runtime, which only --runtime onnx (or an .onnx model) uses");
        var onnx = new OnnxSessionOptions
        {
            IntraOpThreads = a.Int("onnx-threads", 0, 0, 1024),
            OptimizationLevel = OnnxSessionOptions.ParseLevel(a.Optional("onnx-optimization") ?? "all"),
            ProfileOutputPrefix = a.Optional("onnx-profile"),
        };
        if (runtime == EvaluationRuntime.Onnx) onnx = onnx.On(device);
        BenchmarkRegistry registry = BenchmarksCommand.OpenRegistry(a).WithPairFiles(benchmarks);
        a.EnsureAllUsed();

        EvaluationReport report = new EvaluationService(registry, batch, onnx)
            .EvaluateModel(model, weights, embedding, runtime, device, benchmarks, dump, new ConsoleProgress(output));
        File.WriteAllText(json, JsonSerializer.Serialize(report, EventLog.IndentedJsonOptions));

        output.WriteLine();
        string flops = report.MegaFlops is { } mflops ? $"{mflops:F2} MFLOPs" : "MFLOPs unknown (operators outside the estimate)";
        output.WriteLine($"{report.Model}{(report.External ? " (external ONNX model)" : "")}: {report.Parameters:N0} parameters, {flops}, run by {report.Runtime.Name()}");
        output.WriteLine($"{"benchmark",-16} {"metric",-24} {"value",9} {"detail",-30} {"time",8}");
        foreach (BenchmarkResult r in report.Results)
            output.WriteLine($"{r.DisplayName + (r.Synthetic ? "*" : ""),-16} {r.HeadlineMetric,-24} {r.Headline * 100,8:F2}% {Detail(r),-30} {r.Seconds,7:F1}s");
        if (report.Results.Any(r => r.Synthetic)) output.WriteLine("* synthetic data (SynthFaces): not comparable with published results");
        output.WriteLine($"results: {json}{(dump is null ? "" : $"; per-pair scores: {dump}")}");
        return 0;
    }

    private static string Detail(BenchmarkResult r) => r switch
    {
        { Pairs: { } p } => $"± {p.StdAccuracy * 100:F2}% over 10 folds",
        { Ijb: { } i } => $"TAR@1e-5 {i.TarAt(1e-5) * 100:F2}%, @1e-3 {i.TarAt(1e-3) * 100:F2}%",
        { MegaFace: { } m } => $"TAR@1e-6 {m.TarAt(1e-6) * 100:F2}%",
        _ => "",
    };
}
