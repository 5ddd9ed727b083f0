using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Latency;
using PocketNet.Application.Models;
using PocketNet.Application.Training;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Analysis;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Portal.Store;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// Registers models and their results in the store. Model files are copied under the portal's home
/// (models/NAME), so deleting a run never takes a model with it, and only files under the home are ever deleted.
/// </summary>
public sealed partial class ModelStore(IDbContextFactory<PortalDbContext> store, PortalPaths paths, ILogger<ModelStore> log)
{
    /// <summary>Copies a finished run's model folder into the store, exports it to ONNX, and records it.</summary>
    public ModelRecord RegisterTrained(JobRecord job, TrainingOptions options, TrainingSetInfo data, string modelFolder)
    {
        // A worker that died between registering and recording the model on the job: the next attempt finds it.
        using (PortalDbContext db = store.CreateDbContext())
        {
            if (db.Models.AsNoTracking().FirstOrDefault(m => m.JobId == job.Id && m.Origin == ModelOrigin.Trained) is { } registered)
                return registered;
        }
        ModelConfig config = options.Model;
        string name = UniqueName($"{Slug(config.DisplayName)}-job{job.Id}");
        string folder = paths.ModelFolder(name);
        CopyFolder(modelFolder, folder);
        ExportOnnx(folder, config);
        ModelRecord record = Describe(config, name, job.Title, ModelOrigin.Trained, folder);
        record.TrainingMode = options.Mode.ToString();
        record.TrainingData = data.Name;
        record.SyntheticTraining = data.Synthetic;
        record.JobId = job.Id;
        record.Source = $"trained by job {job.Id}: {options.Epochs} epochs at batch {options.BatchSize}, lr {options.LearningRate} (at batch 512){(options.Optimizer == TrainingOptimizer.AdamW ? ", AdamW" : "")}";
        return Add(record);
    }

    /// <summary>
    /// Stores a network as initialised from <paramref name="seed"/>, untrained (weights, config, ONNX), and records it
    /// as a <see cref="ModelOrigin.Baseline"/>: the floor that trained networks of its size are read against.
    /// </summary>
    public ModelRecord RegisterRandomWeights(ModelConfig config, string name, string displayName, ulong seed)
    {
        string folder = paths.ModelFolder(name);
        Directory.CreateDirectory(folder);
        Engine.ManualSeed(seed);
        using (Module<Tensor, Tensor> network = ModelRegistry.Create(config))
            WeightFiles.SaveModule(network, new ModelFolder(folder).Weights);
        File.WriteAllText(new ModelFolder(folder).Config, JsonSerializer.Serialize(config, StoreJson.Options));
        ExportOnnx(folder, config);
        ModelRecord record = Describe(config, name, displayName, ModelOrigin.Baseline, folder);
        record.TrainingMode = "none (random initialisation)";
        record.Source = $"made by this portal: {config.DisplayName}'s initialisation from seed {seed}, never trained";
        return Add(record);
    }

    /// <summary>A record for a network the engine builds from <paramref name="config"/>, its size measured, its files in <paramref name="folder"/>.</summary>
    public static ModelRecord Describe(ModelConfig config, string name, string displayName, ModelOrigin origin, string folder)
    {
        ModelSummary size = ModelCatalog.Summarise(config.DisplayName, "", config);
        return new ModelRecord
        {
            Name = name,
            DisplayName = displayName,
            Origin = origin,
            Architecture = FamilyName(config.Architecture),
            ConfigJson = JsonSerializer.Serialize(config, StoreJson.Options),
            Genotype = config.Genotype,
            EmbeddingSize = config.EmbeddingSize,
            Parameters = size.Parameters,
            MegaFlops = size.MegaFlops,
            MegaMacs = size.MegaMacs,
            Folder = folder,
            CreatedAt = DateTime.UtcNow,
        };
    }

    /// <summary>
    /// The architecture as pages and the leaderboard name it, the same for a model trained here and for a published
    /// row: a network of cells is PocketNet's family whatever its genotype (the genotype is shown beside it).
    /// </summary>
    public static string FamilyName(Architecture architecture) =>
        architecture == Architecture.CellNetwork ? "PocketNet" : architecture.ToString();

    public ModelRecord Add(ModelRecord record)
    {
        MeasureLatency(record);
        using PortalDbContext db = store.CreateDbContext();
        db.Models.Add(record);
        db.SaveChanges();
        return record;
    }

    /// <summary>
    /// Checks an uploaded or given .onnx file (a face model: [N, 3, 112, 112] in, [N, E] out), reads its size from
    /// the graph and records it as an external model; the file is moved (uploads) or copied into the store.
    /// </summary>
    public async Task<ModelRecord> RegisterExternalAsync(string onnxPath, string displayName, bool move, CancellationToken cancellation,
        string? fileName = null, long maxBytes = long.MaxValue, int maxEmbedding = PortalOptions.DefaultMaxEmbedding)
    {
        string full = Path.GetFullPath(onnxPath);
        // The challenge's submission rules, every one checked and every failed one named in the refusal.
        SubmissionReport checks = await Task.Run(() => SubmissionChecks.Check(full, fileName ?? Path.GetFileName(full), maxBytes, maxEmbedding), cancellation);
        if (!checks.Accepted) throw new InvalidDataException(checks.Refusal);
        OnnxModelComplexity size = OnnxGraphAnalysis.Analyze(full);
        string name = UniqueName(Slug(displayName));
        string folder = paths.ModelFolder(name);
        Directory.CreateDirectory(folder);
        string target = new ModelFolder(folder).Onnx;
        if (move) File.Move(full, target);
        else File.Copy(full, target);
        var record = new ModelRecord
        {
            Name = name,
            DisplayName = displayName,
            Origin = ModelOrigin.External,
            Architecture = "ONNX",
            EmbeddingSize = checks.EmbeddingSize!.Value,
            Parameters = size.Parameters,
            MegaFlops = size.MegaFlops,
            Folder = folder,
            CreatedAt = DateTime.UtcNow,
            LatencyMilliseconds = checks.Latency?.MillisecondsPerImage,
            LatencyHost = checks.Latency is { } measured ? LatencyHostOf(measured) : null,
            Source = (size.UnknownOperators.Count > 0
                ? $"external ONNX model; FLOPs unknown (operators {string.Join(", ", size.UnknownOperators)})"
                : "external ONNX model; parameters and FLOPs read from the graph") + UploadLatency(checks.Latency),
            Note = FoldedBatchNormNote(size),
        };
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        db.Models.Add(record);
        await db.SaveChangesAsync(cancellation);
        return record;
    }

    /// <summary>
    /// Why an export of a registry network counts fewer parameters than the registry does, when it does: the exporter
    /// (ours writes the trainable count into the graph's metadata) folds every batch norm into the convolution before
    /// it. Null for a graph without that count, or with the same.
    /// </summary>
    public static string? FoldedBatchNormNote(OnnxModelComplexity size)
    {
        if (size.Metadata?.GetValueOrDefault(OnnxMetadataKeys.Parameters) is not { } text
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long trainable) || trainable == size.Parameters)
            return null;
        string network = size.Metadata.GetValueOrDefault(OnnxMetadataKeys.ModelName) is { Length: > 0 } name ? name : "The network";
        return string.Create(CultureInfo.InvariantCulture, $"{size.Parameters:N0} parameters counted in the ONNX graph; {network} has {trainable:N0} trainable parameters in the registry. ")
            + "The export folds each batch norm into the convolution before it: the convolution's bias then holds C values where the norm "
            + "had 2C (scale and shift), so the graph counts fewer.";
    }

    /// <summary>Stores one result per benchmark of <paramref name="report"/>.</summary>
    public void SaveResults(int modelId, int? jobId, EvaluationReport report, string? note = null)
    {
        using PortalDbContext db = store.CreateDbContext();
        string runtime = report.Runtime.Name();
        foreach (BenchmarkResult result in report.Results)
        {
            // A job evaluated again after its worker died replaces what the first attempt stored: one result per benchmark.
            db.Results.RemoveRange(db.Results.Where(r => r.ModelId == modelId && r.JobId == jobId && jobId != null
                && r.Benchmark == result.Benchmark && r.Runtime == runtime));
            db.Results.Add(new ResultRecord
            {
                ModelId = modelId,
                JobId = jobId,
                Benchmark = result.Benchmark,
                DisplayName = result.DisplayName,
                Protocol = result.Protocol.ToString(),
                Synthetic = result.Synthetic,
                Metric = result.HeadlineMetric,
                Value = result.Headline,
                Std = result.Pairs?.StdAccuracy,
                Runtime = runtime,
                Seconds = result.Seconds,
                DetailsJson = JsonSerializer.Serialize(result, StoreJson.Options),
                Note = note,
                CreatedAt = DateTime.UtcNow,
            });
        }
        db.SaveChanges();
    }

    /// <summary>Deletes a model, its results and its files (only files under the portal's home).</summary>
    public async Task<bool> DeleteAsync(int modelId, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        ModelRecord? model = await db.Models.FindAsync([modelId], cancellation);
        if (model is null) return false;
        if (model.Origin == ModelOrigin.Published)
            throw new Jobs.ConflictException($"{model.DisplayName} is a published reference row: it comes from data/{Leaderboard.PublishedResults.FileName} and returns at every start; edit that file to remove it");
        db.Models.Remove(model);
        await db.SaveChangesAsync(cancellation);
        // Its int8 models stay, on their own.
        await db.Models.Where(m => m.QuantizedFromId == modelId).ExecuteUpdateAsync(s => s.SetProperty(m => m.QuantizedFromId, (int?)null), cancellation);
        if (model.Folder is not null && paths.Contains(model.Folder) && Directory.Exists(model.Folder))
            Directory.Delete(model.Folder, recursive: true);
        return true;
    }

    /// <summary>
    /// Times the model's ONNX graph on this host (ms per image at batch 1, median of warm runs, ONNX Runtime on every
    /// core): the leaderboard's latency column. Latencies compare only within one host, so the CPU is kept with it.
    /// </summary>
    private void MeasureLatency(ModelRecord record)
    {
        string? onnx = record.Folder is null ? null : new ModelFolder(record.Folder).Onnx;
        if (record.LatencyMilliseconds is not null || onnx is null || !File.Exists(onnx)) return;
        int threads = EngineThreads.Choose();
        try
        {
            using OnnxEmbeddingModel model = OnnxEmbeddingModel.Open(onnx, new OnnxSessionOptions { IntraOpThreads = threads });
            LatencyReport latency = LatencyBenchmark.Measure(model, record.DisplayName, "onnx", threads, runs: 10, batchRuns: 0);
            (record.LatencyMilliseconds, record.LatencyHost) = (latency.MillisecondsPerImage, LatencyHostOf(latency));
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or InvalidDataException)
        {
            log.LogWarning(e, "latency of {Model} not measured", record.Name);
        }
    }

    private static string LatencyHostOf(LatencyReport latency) => $"{latency.Cpu}; ONNX Runtime, {latency.Threads} threads";

    /// <summary>The latency measured when the upload passed its checks, as the model's provenance records it.</summary>
    private static string UploadLatency(LatencyReport? latency) => latency is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; latency at upload {latency.MillisecondsPerImage:F2} ms per image at batch 1 (ONNX Runtime, {latency.Threads} threads, {latency.Cpu})");

    private void ExportOnnx(string folder, ModelConfig config)
    {
        try
        {
            using LoadedModel model = ModelLoader.Load(folder, null, Device.Cpu);
            OnnxExporter.Export(model.Network, config, new ModelFolder(folder).Onnx);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            // The zip and the browser comparison then go without model.onnx; the model itself is fine.
            log.LogWarning(e, "ONNX export of {Folder} failed", folder);
        }
    }

    /// <summary><paramref name="wanted"/>, or it with -2, -3, ... appended: a name no model and no model folder has.</summary>
    public string UniqueName(string wanted)
    {
        using PortalDbContext db = store.CreateDbContext();
        string name = wanted;
        for (int i = 2; db.Models.Any(m => m.Name == name) || Directory.Exists(paths.ModelFolder(name)); i++)
            name = $"{wanted}-{i}";
        return name;
    }

    /// <summary>Lower-case letters, digits and dashes: safe in URLs, file names and zip names.</summary>
    public static string Slug(string text)
    {
        string slug = NotSlug().Replace(text.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length > 80) slug = slug[..80].TrimEnd('-');
        return slug.Length == 0 ? "model" : slug;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();
}
