using System.Text.Json;
using PocketNet.Application.Latency;
using PocketNet.Application.Models;
using PocketNet.Evaluation;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Runtime;
using PocketNet.Torch;
using PocketNet.Training.Progress;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet latency --model M [--weights W] [--runtime onnx|libtorch] [--threads N]`: milliseconds per image at
/// batch 1 (median of warm runs) and images/s at batch 64, with the CPU that gave them.
/// </summary>
public sealed class LatencyCommand : ICommand
{
    public string Name => "latency";

    public string Summary => "measure a model's latency (ms per image at batch 1) and throughput (images/s at batch 64) on this host";

    public string Usage =>
        """
        pocketnet latency --model NAME|DIR|M.onnx [--weights W] [--embedding E] [--runtime libtorch|onnx] [--threads N]
                          [--runs 30] [--json]
          --model              a registry name (random weights unless --weights), a model folder, or an .onnx file
          --runtime            libtorch (our engine) or onnx (ONNX Runtime on the exported graph; an .onnx file always)
          --threads            intra-op threads (default: POCKETNET_THREADS, else every core)
          --runs               timed passes at batch 1 after 5 untimed ones (default 30; batch 64 takes a sixth of them)
          --json               print the report as JSON
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        string model = a.Required("model", "a registry name, a model folder or an .onnx file");
        string? weights = a.Optional("weights");
        int? embedding = a.OptionalInt("embedding");
        bool external = ModelLoader.IsOnnxFile(model);
        string runtime = a.Optional("runtime") ?? (external ? "onnx" : "libtorch");
        if (runtime is not ("onnx" or "libtorch")) throw new ArgumentException($"latency: --runtime must be libtorch or onnx, not '{runtime}'");
        if (external && runtime != "onnx") throw new ArgumentException($"'{model}' is an ONNX model: only --runtime onnx runs it");
        int threads = a.Int("threads", PocketNet.Torch.EngineThreads.Choose(), 1, 1024);
        int runs = a.Int("runs", 30, 3, 100_000);
        bool json = a.Flag("json");
        a.EnsureAllUsed();

        LatencyReport report = external ? OnOnnx(model, Path.GetFileNameWithoutExtension(model), threads, runs) : OnOurModel(model, weights, embedding, runtime, threads, runs);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, EventLog.IndentedJsonOptions));
            return 0;
        }
        output.WriteLine($"{report.Model} on {report.Runtime}, {report.Threads} thread(s), {report.Cpu}");
        output.WriteLine($"  batch 1:  {report.MillisecondsPerImage:F2} ms per image (median of {report.WarmRuns} warm runs)");
        if (report.ImagesPerSecond is { } throughput) output.WriteLine($"  batch {report.Batch}: {throughput:F1} images/s");
        return 0;
    }

    private static LatencyReport OnOurModel(string model, string? weights, int? embedding, string runtime, int threads, int runs)
    {
        // A registry name without weights is measured with its random initialisation: the cost does not depend on the weights.
        bool random = weights is null && !Directory.Exists(model);
        using LoadedModel loaded = random ? Initialised(model, embedding) : ModelLoader.Load(model, weights, Device.Cpu, embedding);
        string name = loaded.Config.DisplayName + (random ? " (random weights)" : "");
        if (runtime == "libtorch")
        {
            int before = Engine.Threads;
            Engine.Threads = threads;
            try
            {
                return LatencyBenchmark.Measure(new TorchEmbeddingModel(loaded.Network), name, runtime, threads, runs);
            }
            finally
            {
                Engine.Threads = before;
            }
        }
        using OnnxEmbeddingModel embedder = ExportedOnnxModel.Open(loaded, OnnxOptions(threads));
        return LatencyBenchmark.Measure(embedder, name, "onnx", threads, runs);
    }

    private static LoadedModel Initialised(string name, int? embedding)
    {
        ModelConfig config = ModelRegistry.Resolve(name, embedding);
        return new LoadedModel(config, ModelRegistry.Create(config), "");
    }

    private static LatencyReport OnOnnx(string path, string name, int threads, int runs)
    {
        using OnnxEmbeddingModel embedder = OnnxEmbeddingModel.Open(path, OnnxOptions(threads));
        return LatencyBenchmark.Measure(embedder, name, "onnx", threads, runs);
    }

    private static OnnxSessionOptions OnnxOptions(int threads) => new() { IntraOpThreads = threads };
}
