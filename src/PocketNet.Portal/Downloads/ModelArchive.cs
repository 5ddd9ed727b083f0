using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PocketNet.Portal.Store;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Downloads;

/// <summary>
/// A model as one zip: weights.safetensors and config.json (what `pocketnet eval --model FOLDER` loads),
/// model.onnx, results.json, MODEL_CARD.md and SHA256SUMS over every other file. Built from the store on request.
/// </summary>
public static class ModelArchive
{
    public const string ResultsFile = "results.json";
    public const string CardFile = "MODEL_CARD.md";
    public const string ChecksumsFile = "SHA256SUMS";

    /// <summary>The files the zip holds for <paramref name="model"/>, in order (checksums last).</summary>
    public static IReadOnlyList<string> FilesOf(ModelRecord model)
    {
        var files = new List<string>();
        foreach (string name in new[] { RecognitionTrainer.WeightsFile, RecognitionTrainer.ConfigFile, Catalog.ModelStore.OnnxFile })
            if (model.Folder is not null && File.Exists(Path.Combine(model.Folder, name))) files.Add(name);
        files.AddRange([ResultsFile, CardFile, ChecksumsFile]);
        return files;
    }

    public static void Write(Stream destination, ModelRecord model, IReadOnlyList<ResultRecord> results)
    {
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var sums = new StringBuilder();
        foreach (string name in FilesOf(model).Where(f => f is not (ResultsFile or CardFile or ChecksumsFile)))
            Add(zip, name, File.ReadAllBytes(Path.Combine(model.Folder!, name)), sums);
        Add(zip, ResultsFile, Encoding.UTF8.GetBytes(ResultsJson(model, results)), sums);
        Add(zip, CardFile, Encoding.UTF8.GetBytes(ModelCard.Write(model, results)), sums);
        Add(zip, ChecksumsFile, Encoding.UTF8.GetBytes(sums.ToString()), null);
    }

    public static string ResultsJson(ModelRecord model, IReadOnlyList<ResultRecord> results)
    {
        var document = new
        {
            Model = model.Name,
            model.DisplayName,
            Origin = model.Origin.ToString(),
            model.Parameters,
            model.MegaFlops,
            model.TrainingMode,
            model.TrainingData,
            model.SyntheticTraining,
            Results = results.Select(r => new
            {
                r.Benchmark,
                r.DisplayName,
                r.Synthetic,
                r.Metric,
                r.Value,
                r.Std,
                r.Runtime,
                r.Seconds,
                EvaluatedAt = r.CreatedAt,
                Details = r.DetailsJson is null ? (JsonElement?)null : JsonDocument.Parse(r.DetailsJson).RootElement,
            }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions(StoreJson.Options) { WriteIndented = true });
    }

    private static void Add(ZipArchive zip, string name, byte[] content, StringBuilder? sums)
    {
        ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using (Stream stream = entry.Open()) stream.Write(content);
        sums?.Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append("  ").Append(name).Append('\n');
    }
}
