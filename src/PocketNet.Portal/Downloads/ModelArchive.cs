using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Downloads;

/// <summary>
/// A model as one zip: weights.safetensors and config.json (what `pocketnet eval --model FOLDER` loads),
/// model.onnx, results.json, MODEL_CARD.md and SHA256SUMS over every other file. Written from the store on request,
/// straight to the response.
/// </summary>
public static class ModelArchive
{
    public const string ResultsFile = ModelFolder.ResultsFile;
    public const string CardFile = "MODEL_CARD.md";
    public const string ChecksumsFile = "SHA256SUMS";


    /// <summary>The files the zip holds for <paramref name="model"/>, in order (checksums last).</summary>
    public static IReadOnlyList<string> FilesOf(ModelRecord model)
    {
        var files = new List<string>();
        foreach (string name in ModelFolder.ArchivedFiles)
            if (model.Folder is not null && File.Exists(new ModelFolder(model.Folder).File(name))) files.Add(name);
        files.AddRange([ResultsFile, CardFile, ChecksumsFile]);
        return files;
    }

    /// <summary>
    /// Writes the zip to <paramref name="destination"/> as it goes (the response body: nothing is built in memory
    /// first). Files are streamed from the model folder and hashed on the way, so SHA256SUMS, written last, costs no
    /// second read.
    /// </summary>
    public static async Task WriteAsync(Stream destination, ModelRecord model, IReadOnlyList<ResultRecord> results, CancellationToken cancellation)
    {
        var output = new DeferredWriteStream(destination);
        await using (ZipArchive zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellation))
        {
            var sums = new StringBuilder();
            foreach (string name in FilesOf(model).Where(f => f is not (ResultsFile or CardFile or ChecksumsFile)))
            {
                await using FileStream file = new(new ModelFolder(model.Folder!).File(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
                await AddAsync(zip, output, name, file, sums, cancellation);
            }
            await AddAsync(zip, output, ResultsFile, new MemoryStream(Encoding.UTF8.GetBytes(ResultsJson(model, results))), sums, cancellation);
            await AddAsync(zip, output, CardFile, new MemoryStream(Encoding.UTF8.GetBytes(ModelCard.Write(model, results))), sums, cancellation);
            await AddAsync(zip, output, ChecksumsFile, new MemoryStream(Encoding.UTF8.GetBytes(sums.ToString())), null, cancellation);
        }
        await output.DrainAsync(cancellation);
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

    private static async Task AddAsync(ZipArchive zip, DeferredWriteStream output, string name, Stream content, StringBuilder? sums,
        CancellationToken cancellation)
    {
        ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = new byte[81920];
        await using (Stream stream = await entry.OpenAsync(cancellation))
        {
            int read;
            while ((read = await content.ReadAsync(chunk, cancellation)) > 0)
            {
                hash.AppendData(chunk, 0, read);
                await stream.WriteAsync(chunk.AsMemory(0, read), cancellation);
            }
        }
        await output.DrainAsync(cancellation);
        sums?.Append(Convert.ToHexStringLower(hash.GetHashAndReset())).Append("  ").Append(name).Append('\n');
    }
}
