using System.Diagnostics;
using System.Globalization;
using System.Text;
using PocketNet.Application.Models;
using PocketNet.Data.Ijb;
using PocketNet.Data.MegaFace;
using PocketNet.Data.Pairs;
using PocketNet.Data.Registry;
using PocketNet.Evaluation;
using PocketNet.Evaluation.Identification;
using PocketNet.Evaluation.Templates;
using PocketNet.Evaluation.Verification;
using PocketNet.Onnx.Analysis;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Torch;
using PocketNet.Training.Progress;

namespace PocketNet.Application.Evaluation;

/// <summary>
/// Evaluates a model on benchmarks of the registry, each by its published protocol: pair sets by 10-fold
/// accuracy, IJB-B/C by TAR at FAR of pooled templates, MegaFace by rank-1 and TAR at FAR 1e-6. With a
/// dump folder, each pair-based benchmark also writes the score of every pair, so anyone can recompute the metric.
/// The network runs behind <see cref="IEmbeddingModel"/>: our libtorch engine, or ONNX Runtime for exported and external
/// models, its sessions opened with <paramref name="onnxOptions"/> (threads, optimisation level, provider, profiling).
/// </summary>
public sealed class EvaluationService(BenchmarkRegistry registry, int batchSize = 64, OnnxSessionOptions? onnxOptions = null)
{
    private readonly OnnxSessionOptions _onnx = onnxOptions ?? new OnnxSessionOptions();

    /// <summary>
    /// Evaluates a stored model: the one entry of the CLI's `eval`, the portal's evaluation jobs and a model page's
    /// Evaluate. <paramref name="model"/> is a model folder of ours (or a run folder: its model/), a folder holding only
    /// model.onnx or an .onnx file (an external model, always run by ONNX Runtime), or a registry name with
    /// <paramref name="weights"/>. Benchmarks run one by one and <paramref name="eachBenchmark"/> receives each one's
    /// report as soon as it exists (the portal stores it at once, so a failure keeps what was finished); the return
    /// value holds them all. Without <paramref name="eachBenchmark"/> they run in one pass.
    /// </summary>
    public EvaluationReport EvaluateModel(string model, string? weights, int? embeddingSize, EvaluationRuntime runtime, Device device,
        IReadOnlyList<string> benchmarks, string? dumpFolder, IProgress<TrainingEvent>? observer = null, CancellationToken cancellation = default,
        Action<EvaluationReport>? eachBenchmark = null)
    {
        if (benchmarks.Count == 0) throw new ArgumentException("benchmarks: choose at least one benchmark");
        CheckReady(benchmarks);
        string? external = ModelLoader.IsOnnxFile(model) ? model
            : Directory.Exists(model) && ModelFolder.Of(model) is { IsOnnxOnly: true } folder ? folder.Onnx
            : null;
        if (external is not null && weights is not null) throw new ArgumentException($"'{model}' is an ONNX model and holds its weights: drop the weights");
        // For ONNX Runtime the network is only exported (its weights read), so it is loaded on the CPU.
        using LoadedModel? loaded = external is null ? ModelLoader.Load(model, weights, runtime == EvaluationRuntime.Onnx ? Device.Cpu : device, embeddingSize) : null;
        // Without a listener, one pass: one ONNX export or session (and one profile) for all benchmarks.
        if (eachBenchmark is null)
            return external is not null
                ? EvaluateExternal(external, benchmarks, dumpFolder, observer, cancellation)
                : Evaluate(loaded!, benchmarks, dumpFolder, observer, cancellation, runtime);
        var reports = new List<EvaluationReport>();
        for (int i = 0; i < benchmarks.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            IProgress<TrainingEvent>? place = observer is null ? null : new BenchmarkOfJob(observer, i, benchmarks.Count);
            EvaluationReport report = external is not null
                ? EvaluateExternal(external, [benchmarks[i]], dumpFolder, place, cancellation)
                : Evaluate(loaded!, [benchmarks[i]], dumpFolder, place, cancellation, runtime);
            eachBenchmark?.Invoke(report);
            reports.Add(report);
        }
        return reports[^1] with { Results = reports.SelectMany(r => r.Results).ToList() };
    }

    /// <summary>
    /// Evaluates a loaded registry model, run by our libtorch engine or (<paramref name="runtime"/> onnx) by ONNX
    /// Runtime on the model exported to a temporary .onnx file, deleted afterwards.
    /// </summary>
    public EvaluationReport Evaluate(LoadedModel model, IReadOnlyList<string> benchmarks, string? dumpFolder,
        IProgress<TrainingEvent>? observer = null, CancellationToken cancellation = default, EvaluationRuntime runtime = EvaluationRuntime.Libtorch)
    {
        var entries = CheckReady(benchmarks);
        ModelSummary size = ModelCatalog.Summarise(model.Config.DisplayName, "", model.Config);
        EvaluationReport Report(IReadOnlyList<BenchmarkResult> results) =>
            new(model.Config.DisplayName, model.Config, model.Weights, size.Parameters, size.MegaFlops, DateTimeOffset.UtcNow, results, runtime);

        if (runtime == EvaluationRuntime.Libtorch)
            return Report(Run(new TorchEmbeddingModel(model.Network), entries, dumpFolder, observer, cancellation));

        observer?.Report(new RunMessage("exporting the model to ONNX for ONNX Runtime"));
        using OnnxEmbeddingModel embedder = ExportedOnnxModel.Open(model, _onnx);
        return Report(RunOnnx(embedder, entries, dumpFolder, observer, cancellation));
    }

    /// <summary>
    /// Evaluates an ONNX face model from elsewhere ([N, 3, 112, 112] in, [N, E] out) through ONNX Runtime; its size
    /// comes from the graph (<see cref="OnnxGraphAnalysis"/>). A model with another interface is refused before any benchmark runs.
    /// </summary>
    public EvaluationReport EvaluateExternal(string onnxPath, IReadOnlyList<string> benchmarks, string? dumpFolder,
        IProgress<TrainingEvent>? observer = null, CancellationToken cancellation = default)
    {
        var entries = CheckReady(benchmarks);
        string full = Path.GetFullPath(onnxPath);
        using OnnxEmbeddingModel embedder = OpenExternal(full);
        OnnxModelComplexity size = OnnxGraphAnalysis.Analyze(full);
        if (size.UnknownOperators.Count > 0)
            observer?.Report(new RunMessage($"FLOPs unknown: the graph holds operators the estimate does not cover ({string.Join(", ", size.UnknownOperators)})"));
        var results = RunOnnx(embedder, entries, dumpFolder, observer, cancellation);
        string name = embedder.Session.Metadata.TryGetValue(OnnxMetadataKeys.ModelName, out string? n) && n.Length > 0
            ? n
            : Path.GetFileNameWithoutExtension(full);
        return new EvaluationReport(name, null, full, size.Parameters, size.MegaFlops, DateTimeOffset.UtcNow, results,
            EvaluationRuntime.Onnx, External: true);
    }

    // ONNX Runtime's own refusals (not a model, several inputs, non-float tensors) read as a bad model file.
    private OnnxEmbeddingModel OpenExternal(string path)
    {
        try
        {
            return OnnxEmbeddingModel.Open(path, _onnx);
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' cannot be evaluated as a face embedding model: {e.Message}", e);
        }
    }

    /// <summary>Runs the benchmarks through ONNX Runtime, saying which provider ran them and where a profile went.</summary>
    private List<BenchmarkResult> RunOnnx(OnnxEmbeddingModel embedder, IReadOnlyList<BenchmarkEntry> entries, string? dumpFolder,
        IProgress<TrainingEvent>? observer, CancellationToken cancellation)
    {
        observer?.Report(new RunMessage($"ONNX Runtime {OnnxRuntime.Version} on {embedder.Session.ExecutionProvider}, " +
                                        $"optimisation {_onnx.OptimizationLevel}, intra-op threads {(_onnx.IntraOpThreads == 0 ? "automatic" : _onnx.IntraOpThreads)}"));
        var results = Run(embedder, entries, dumpFolder, observer, cancellation);
        if (embedder.Session.EndProfiling() is { } profile) observer?.Report(new RunMessage($"ONNX Runtime profile: {profile}"));
        return results;
    }

    /// <summary>
    /// Images an evaluation on <paramref name="benchmark"/> embeds (flips aside): its published count, else counted
    /// from its files without decoding an image (pair sets: the .bin's list; IJB, MegaFace: their lists).
    /// </summary>
    public long CountImages(string benchmark)
    {
        BenchmarkEntry entry = registry.Get(benchmark);
        if (entry.Published?.Images is int published) return published + (entry.Published.Distractors ?? 0);
        string path = registry.ResolvePath(entry);
        return entry.Protocol switch
        {
            BenchmarkProtocol.Pairs => BinPairSetReader.ReadEncoded(path).Images.Count,
            BenchmarkProtocol.Ijb => IjbDataset.Open(path, entry.Name, entry.IsSynthetic).Count,
            BenchmarkProtocol.MegaFace => MegaFaceDataset.Open(path) is var m ? (long)m.ProbeImages.Count + m.DistractorImages.Count : 0,
            _ => 0,
        };
    }

    private List<BenchmarkEntry> CheckReady(IReadOnlyList<string> benchmarks)
    {
        var entries = benchmarks.Select(registry.Get).ToList();
        foreach (BenchmarkEntry entry in entries)
        {
            BenchmarkStatus status = registry.Check(entry, openData: false);
            if (!status.IsReady) throw new FileNotFoundException($"benchmark {entry.Name} is not ready: {status.Summary()}");
        }
        return entries;
    }

    private List<BenchmarkResult> Run(IEmbeddingModel model, IReadOnlyList<BenchmarkEntry> entries, string? dumpFolder,
        IProgress<TrainingEvent>? observer, CancellationToken cancellation)
    {
        if (dumpFolder is not null) Directory.CreateDirectory(dumpFolder);
        var extractor = new EmbeddingExtractor(model, batchSize);
        var results = new List<BenchmarkResult>();
        var pass = new EvaluationPass(entries, observer);
        foreach (BenchmarkEntry entry in entries)
        {
            observer?.Report(new RunMessage($"evaluating {entry.DisplayName}{(entry.IsSynthetic ? " (synthetic)" : "")}"));
            var clock = Stopwatch.StartNew();
            BenchmarkResult result = entry.Protocol switch
            {
                BenchmarkProtocol.Pairs => EvaluatePairs(entry, extractor, dumpFolder, pass, cancellation),
                BenchmarkProtocol.Ijb => EvaluateIjb(entry, extractor, dumpFolder, pass, cancellation),
                BenchmarkProtocol.MegaFace => EvaluateMegaFace(entry, extractor, pass, cancellation),
                _ => throw new NotSupportedException($"protocol {entry.Protocol}"),
            };
            results.Add(result with { Seconds = clock.Elapsed.TotalSeconds });
            pass.Next();
        }
        return results;
    }

    private BenchmarkResult EvaluatePairs(BenchmarkEntry entry, EmbeddingExtractor extractor, string? dump, EvaluationPass pass, CancellationToken cancellation)
    {
        PairSet pairs = BinPairSetReader.Read(registry.ResolvePath(entry), entry.Name, entry.IsSynthetic, cancellation: cancellation);
        float[][] embeddings = extractor.Extract(pairs.Images, pairs.ImageSize, flip: true, cancellation, pass.Start(pairs.Images.Count, "pairs"));
        double[] distances = PairVerificationProtocol.Distances(embeddings);
        var result = PairVerificationProtocol.Evaluate(entry.Name, distances, pairs.IsSame);
        if (dump is not null)
            WriteCsv(Path.Combine(dump, $"{entry.Name}.csv"), "pair,squared_distance,same",
                Enumerable.Range(0, distances.Length).Select(i => $"{i},{F(distances[i])},{(pairs.IsSame[i] ? 1 : 0)}"));
        return Result(entry, HeadlineMetrics.For(BenchmarkProtocol.Pairs), result.MeanAccuracy) with { Pairs = result };
    }

    private BenchmarkResult EvaluateIjb(BenchmarkEntry entry, EmbeddingExtractor extractor, string? dump, EvaluationPass pass, CancellationToken cancellation)
    {
        IjbDataset ijb = IjbDataset.Open(registry.ResolvePath(entry), entry.Name, entry.IsSynthetic);
        float[] features = extractor.Extract(ijb, flip: true, cancellation, pass.Start(ijb.Count, "images"));
        TemplateFeatures templates = TemplatePooling.Pool(features, extractor.Dimension, ijb.TemplateIds, ijb.MediaIds, ijb.DetectorScores);
        int[] first = ijb.Pairs.Template1, second = ijb.Pairs.Template2;
        bool[] genuine = ijb.Pairs.IsGenuine;
        float[] scores = IjbProtocol.Score(templates, first, second, cancellation);
        IjbResult result = IjbProtocol.Evaluate(entry.Name, scores, genuine);
        if (dump is not null)
            WriteCsv(Path.Combine(dump, $"{entry.Name}.csv"), "pair,template1,template2,cosine,genuine",
                Enumerable.Range(0, scores.Length).Select(i => $"{i},{first[i]},{second[i]},{F(scores[i])},{(genuine[i] ? 1 : 0)}"));
        return Result(entry, HeadlineMetrics.For(BenchmarkProtocol.Ijb), result.TarAt(1e-4)) with { Ijb = result };
    }

    private BenchmarkResult EvaluateMegaFace(BenchmarkEntry entry, EmbeddingExtractor extractor, EvaluationPass pass, CancellationToken cancellation)
    {
        MegaFaceDataset megaface = MegaFaceDataset.Open(registry.ResolvePath(entry));
        // The distractors are embedded block by block inside the protocol's search: the count covers the probes.
        float[] probeFeatures = extractor.Extract(megaface.ProbeImages, flip: true, cancellation, pass.Start(megaface.ProbeImages.Count, "images"));
        var probes = new MegaFaceProbes(probeFeatures, extractor.Dimension, megaface.Probes.Select(p => p.Identity).ToList());
        MegaFaceResult result = MegaFaceProtocol.Evaluate(probes, extractor.AsFeatureSource(megaface.DistractorImages, flip: true),
            cancellation: cancellation);
        return Result(entry, HeadlineMetrics.For(BenchmarkProtocol.MegaFace), result.Rank1IdentificationRate) with { MegaFace = result };
    }

    private static BenchmarkResult Result(BenchmarkEntry entry, string metric, double value) =>
        new(entry.Name, entry.DisplayName, entry.Protocol, entry.IsSynthetic, entry.StandsInFor, metric, value, 0);

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteCsv(string path, string header, IEnumerable<string> rows)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine(header);
        foreach (string row in rows) writer.WriteLine(row);
    }
}
