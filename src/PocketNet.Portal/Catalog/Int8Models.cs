using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Models;
using PocketNet.Application.Quantization;
using PocketNet.Application.Training;
using PocketNet.Onnx.Quantization;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// "Quantise to int8" on a model page: the stored model's ONNX graph quantised (ModelQuantization, the CLI's verb),
/// calibrated on the training set it was trained on when this portal has it, else SynthFaces; the int8 graph stored
/// as its own model, linked to its float model and timed on this host like every model; then an evaluation job on
/// the benchmarks the float model was evaluated on, so the leaderboard can show the change beside it.
/// </summary>
public sealed class Int8Models(IDbContextFactory<PortalDbContext> store, ModelStore models, TrainingSetCatalog trainingSets,
    PortalPaths paths, JobQueue jobs, ILogger<Int8Models> log)
{
    /// <summary>Fewer than the CLI's default: the page waits for the quantisation (a few seconds for PocketNet on two cores).</summary>
    public const int CalibrationImages = 128;

    /// <summary>The int8 model, and the evaluation job queued for it (null when its float model has no results to compare with).</summary>
    public async Task<(ModelRecord Model, JobRecord? Evaluation)> QuantizeAsync(int modelId, CancellationToken cancellation)
    {
        ModelRecord source;
        List<string> benchmarks;
        await using (PortalDbContext db = await store.CreateDbContextAsync(cancellation))
        {
            source = await db.Models.AsNoTracking().Include(m => m.Results).FirstOrDefaultAsync(m => m.Id == modelId, cancellation)
                ?? throw new ArgumentException($"there is no model {modelId}");
            if (source.Origin == ModelOrigin.Published) throw new ArgumentException($"{source.DisplayName} is a published reference row: there is no model to quantise");
            if (source.Origin == ModelOrigin.Quantized) throw new ArgumentException($"{source.DisplayName} is already an int8 model");
            if (source.Folder is null) throw new ArgumentException($"{source.DisplayName} has no files to quantise");
            if (await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.QuantizedFromId == modelId, cancellation) is { } existing)
                throw new ConflictException($"{source.DisplayName} already has an int8 model: {existing.DisplayName} (model {existing.Id}); delete it to quantise again");
            benchmarks = source.Results.Where(r => r.Runtime != "published").Select(r => r.Benchmark).Distinct().Order(StringComparer.Ordinal).ToList();
        }

        TrainingSetInfo calibration = trainingSets.All().FirstOrDefault(s => s.Present && string.Equals(s.Name, source.TrainingData, StringComparison.OrdinalIgnoreCase))
            ?? trainingSets.Get(TrainingSetCatalog.SynthFaces);
        string name = models.UniqueName(source.Name + "-int8");
        string folder = paths.ModelFolder(name);
        Directory.CreateDirectory(folder);
        ModelRecord int8;
        try
        {
            var request = new QuantizeRequest(source.Folder, null, calibration.Source, CalibrationImages, new ModelFolder(folder).Onnx);
            QuantizationResult result = await Task.Run(() => ModelQuantization.Quantize(request), cancellation);
            int8 = models.Add(Int8Record(source, name, folder, result, calibration));
        }
        catch
        {
            // No model row, no folder: a failed quantisation leaves the store as it was.
            Directory.Delete(folder, recursive: true);
            throw;
        }
        log.LogInformation("quantised {Model} to int8 as {Int8}", source.Name, name);
        JobRecord? evaluation = benchmarks.Count == 0 ? null : await jobs.EnqueueEvaluationAsync(
            new EvaluationRequest { ModelId = int8.Id, Benchmarks = benchmarks, Runtime = EvaluationRuntime.Onnx }, cancellation);
        return (int8, evaluation);
    }

    private static ModelRecord Int8Record(ModelRecord source, string name, string folder, QuantizationResult result, TrainingSetInfo calibration) => new()
    {
        Name = name,
        DisplayName = source.DisplayName + " (int8)",
        Origin = ModelOrigin.Quantized,
        QuantizedFromId = source.Id,
        Architecture = source.Architecture,
        ConfigJson = source.ConfigJson,
        Genotype = source.Genotype,
        EmbeddingSize = source.EmbeddingSize,
        Parameters = source.Parameters,
        MegaFlops = source.MegaFlops,
        MegaMacs = source.MegaMacs,
        TrainingMode = source.TrainingMode,
        TrainingData = source.TrainingData,
        SyntheticTraining = source.SyntheticTraining,
        Folder = folder,
        CreatedAt = DateTime.UtcNow,
        Source = $"int8 quantisation of {source.DisplayName} (model {source.Id}) by this portal: {QuantizationResult.Scheme}; " +
                 $"calibrated on {result.CalibrationImages} images of {calibration.Name}{(calibration.Synthetic ? " (synthetic)" : "")}",
    };
}
