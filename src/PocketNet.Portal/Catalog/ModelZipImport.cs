using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Portal.Downloads;
using PocketNet.Portal.Store;
using PocketNet.Torch;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// Imports a model zip as the portal writes them (weights.safetensors + config.json, optionally model.onnx,
/// results.json, MODEL_CARD.md, SHA256SUMS), e.g. from another portal, or the published PocketNet weights packed the
/// same way. Only those flat names are accepted (no folders, so no entry can escape the model folder), each entry's
/// size is bounded before it is read, checksums are verified when listed, and the weights must load into the network
/// the config describes. Results in the zip are not imported: the portal recomputes what it shows.
/// </summary>
public sealed class ModelZipImport(PortalPaths paths, ModelStore models)
{
    private static readonly string[] Allowed =
    [
        RecognitionTrainer.WeightsFile, RecognitionTrainer.ConfigFile, ModelStore.OnnxFile,
        ModelArchive.ResultsFile, ModelArchive.CardFile, ModelArchive.ChecksumsFile,
    ];

    /// <summary>Files kept in the model folder (the rest are read for checking only).</summary>
    private static readonly string[] Kept = [RecognitionTrainer.WeightsFile, RecognitionTrainer.ConfigFile, ModelStore.OnnxFile];

    public ModelRecord Import(string zipPath, string displayName, long maxEntryBytes)
    {
        string source = Path.GetFileName(zipPath);
        Dictionary<string, byte[]> files = ReadEntries(zipPath, source, maxEntryBytes);
        foreach (string required in new[] { RecognitionTrainer.WeightsFile, RecognitionTrainer.ConfigFile })
            if (!files.ContainsKey(required)) throw new InvalidDataException($"{source}: {required} is missing (a model zip holds weights.safetensors and config.json)");
        if (files.TryGetValue(ModelArchive.ChecksumsFile, out byte[]? sums)) VerifyChecksums(source, files, System.Text.Encoding.UTF8.GetString(sums));

        string name = models.UniqueName(ModelStore.Slug(displayName));
        string folder = paths.ModelFolder(name);
        Directory.CreateDirectory(folder);
        try
        {
            foreach (string file in Kept.Where(files.ContainsKey)) File.WriteAllBytes(Path.Combine(folder, file), files[file]);
            return Register(folder, name, displayName, source);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static Dictionary<string, byte[]> ReadEntries(string zipPath, string source, long maxEntryBytes)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is not a readable zip: {e.Message}", e);
        }
        using (zip)
        {
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/') && entry.Length == 0) continue;
                if (!Allowed.Contains(entry.FullName, StringComparer.Ordinal))
                    throw new InvalidDataException($"{source}: entry '{entry.FullName}' is not allowed; a model zip holds only the flat files {string.Join(", ", Allowed)}");
                // The declared size can lie; the copy below is bounded too.
                if (entry.Length > maxEntryBytes) throw new InvalidDataException($"{source}: {entry.FullName} unpacks to {entry.Length:N0} bytes, over the limit of {maxEntryBytes:N0}");
                using Stream stream = entry.Open();
                var buffer = new MemoryStream();
                CopyBounded(stream, buffer, maxEntryBytes, source, entry.FullName);
                files[entry.FullName] = buffer.ToArray();
            }
            return files;
        }
    }

    private static void CopyBounded(Stream from, Stream to, long limit, string source, string entry)
    {
        byte[] chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = from.Read(chunk)) > 0)
        {
            total += read;
            if (total > limit) throw new InvalidDataException($"{source}: {entry} unpacks to more than {limit:N0} bytes");
            to.Write(chunk, 0, read);
        }
    }

    private static void VerifyChecksums(string source, IReadOnlyDictionary<string, byte[]> files, string sums)
    {
        foreach (string line in sums.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split("  ", 2);
            if (parts.Length != 2) throw new InvalidDataException($"{source}: SHA256SUMS line '{line}' is not 'HASH  NAME'");
            if (!files.TryGetValue(parts[1], out byte[]? content)) throw new InvalidDataException($"{source}: SHA256SUMS lists {parts[1]}, which the zip does not hold");
            string actual = Convert.ToHexStringLower(SHA256.HashData(content));
            if (!string.Equals(actual, parts[0], StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{source}: {parts[1]} does not match its SHA-256 in SHA256SUMS (corrupt or altered)");
        }
    }

    private ModelRecord Register(string folder, string name, string displayName, string source)
    {
        ModelConfig config = ModelLoader.ReadConfig(Path.Combine(folder, RecognitionTrainer.ConfigFile));
        TrainedModelConfig? trained = ReadTrainedConfig(Path.Combine(folder, RecognitionTrainer.ConfigFile));
        using (LoadedModel model = ModelLoader.Load(folder, null, Device.Cpu))
        {
            // Weights that do not fit the config fail above; an ONNX file is added when the zip has none.
            string onnx = Path.Combine(folder, ModelStore.OnnxFile);
            if (!File.Exists(onnx)) OnnxExporter.Export(model.Network, config, onnx);
        }
        ModelRecord record = ModelStore.Describe(config, name, displayName, ModelOrigin.Imported, folder);
        record.TrainingMode = trained?.Mode.ToString();
        record.TrainingData = trained?.TrainingData;
        record.SyntheticTraining = trained?.Synthetic ?? false;
        record.Source = $"imported from {source}";
        return models.Add(record);
    }

    private static TrainedModelConfig? ReadTrainedConfig(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("model", out _)
            ? JsonSerializer.Deserialize<TrainedModelConfig>(document.RootElement, EventLog.JsonOptions)
            : null;
    }
}
