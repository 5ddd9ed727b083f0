using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using PocketNet.Application.Models;
using PocketNet.Models.Registry;
using PocketNet.Onnx.Export;
using PocketNet.Onnx.Runtime;
using PocketNet.Portal.Downloads;
using PocketNet.Portal.Store;
using PocketNet.Torch;
using PocketNet.Torch.Serialization;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// Imports a model zip as the portal writes them (weights.safetensors + config.json, optionally model.onnx,
/// results.json, MODEL_CARD.md, SHA256SUMS), e.g. from another portal, or the published PocketNet weights packed the
/// same way. Only those flat names are accepted (no folders, so no entry can escape the model folder). Entries are
/// streamed to a staging folder, hashed as they pass, never held in memory whole; each is bounded (config.json and the
/// other small files tightly) and all of them together by the upload limit, whatever sizes the zip declares, so a zip
/// bomb ends at the bound. Checksums are verified when listed, the weights must load into the network the config
/// describes, and a model.onnx must be an ONNX face model of the config's embedding size. Only then does the staging
/// folder become the model's folder. Results in the zip are not imported: the portal recomputes what it shows.
/// Errors name entries and line numbers, never the server's folders, and never repeat what a file holds.
/// </summary>
public sealed partial class ModelZipImport(PortalPaths paths, ModelStore models)
{
    /// <summary>config.json is a few hundred bytes; anything near this is not a config.</summary>
    public const long MaxConfigBytes = 64 * 1024;

    /// <summary>results.json, MODEL_CARD.md, SHA256SUMS and reproducibility.json.</summary>
    public const long MaxSmallFileBytes = 1024 * 1024;

    private static readonly string[] Allowed = [.. ModelFolder.ArchivedFiles, ModelArchive.ResultsFile, ModelArchive.CardFile, ModelArchive.ChecksumsFile];

    /// <summary>Files kept in the model folder (the training run's record travels with its model); SHA256SUMS is kept while checking; the rest are only hashed.</summary>
    private static readonly IReadOnlyList<string> Kept = ModelFolder.ArchivedFiles;

    /// <summary>
    /// Imports <paramref name="zipPath"/>; <paramref name="maxBytes"/> bounds every entry and all of them together,
    /// unpacked. Bad zips throw <see cref="InvalidDataException"/> naming <paramref name="source"/> (the uploader's file name).
    /// </summary>
    public ModelRecord Import(string zipPath, string source, string displayName, long maxBytes)
    {
        string staging = Path.Combine(paths.Uploads, $"{Guid.NewGuid():N}.unpacked");
        Directory.CreateDirectory(staging);
        try
        {
            Dictionary<string, string> hashes = Unpack(zipPath, source, staging, maxBytes);
            foreach (string required in new[] { ModelFolder.WeightsFile, ModelFolder.ConfigFile })
                if (!hashes.ContainsKey(required)) throw new InvalidDataException($"{source}: {required} is missing (a model zip holds weights.safetensors and config.json)");
            string sums = Path.Combine(staging, ModelArchive.ChecksumsFile);
            if (File.Exists(sums))
            {
                VerifyChecksums(source, hashes, File.ReadAllLines(sums));
                File.Delete(sums);
            }
            (ModelConfig config, TrainedModelConfig? trained) = Check(staging, source);

            string name = models.UniqueName(ModelStore.Slug(displayName));
            string folder = paths.ModelFolder(name);
            Directory.Move(staging, folder);
            try
            {
                ModelRecord record = ModelStore.Describe(config, name, displayName, ModelOrigin.Imported, folder);
                record.TrainingMode = trained?.Mode.ToString();
                record.TrainingData = trained?.TrainingData;
                record.SyntheticTraining = trained?.Synthetic ?? false;
                record.Source = $"imported from {source}";
                return models.Add(record);
            }
            catch
            {
                Directory.Delete(folder, recursive: true);
                throw;
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Streams the entries into <paramref name="staging"/> (kept files and SHA256SUMS) and returns each entry's SHA-256.</summary>
    private static Dictionary<string, string> Unpack(string zipPath, string source, string staging, long maxBytes)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException)
        {
            throw new InvalidDataException($"{source} is not a readable zip");
        }
        using (zip)
        {
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            long total = 0;
            byte[] chunk = new byte[81920];
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/') && entry.Length == 0) continue;
                if (!Allowed.Contains(entry.FullName, StringComparer.Ordinal))
                    throw new InvalidDataException($"{source}: entry '{Shown(entry.FullName)}' is not allowed; a model zip holds only the flat files {string.Join(", ", Allowed)}");
                string name = entry.FullName;
                if (hashes.ContainsKey(name)) throw new InvalidDataException($"{source}: {name} appears twice");
                long limit = LimitOf(name, maxBytes);
                // The declared size can lie: the copy below counts what really comes out.
                if (entry.Length > limit) throw TooLarge(source, name, limit);
                bool keep = Kept.Contains(name) || name == ModelArchive.ChecksumsFile;
                using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (Stream from = OpenEntry(entry, source))
                using (Stream to = keep ? File.Create(Path.Combine(staging, name)) : Stream.Null)
                {
                    long length = 0;
                    int read;
                    while ((read = ReadEntry(from, chunk, source, name)) > 0)
                    {
                        length += read;
                        total += read;
                        if (length > limit) throw TooLarge(source, name, limit);
                        if (total > maxBytes)
                            throw new InvalidDataException($"{source}: the entries unpack to more than {maxBytes:N0} bytes in all (Portal:MaxUploadMegabytes)");
                        hash.AppendData(chunk, 0, read);
                        to.Write(chunk, 0, read);
                    }
                }
                hashes[name] = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            return hashes;
        }
    }

    private static long LimitOf(string name, long maxBytes) => name switch
    {
        ModelFolder.ConfigFile => MaxConfigBytes,
        // A long run's event log is as long as the run: it gets the upload's limit, as the weights do.
        ModelFolder.WeightsFile or ModelFolder.OnnxFile or ModelFolder.EventLogFile => maxBytes,
        _ => MaxSmallFileBytes,
    };

    private static InvalidDataException TooLarge(string source, string name, long limit) =>
        new($"{source}: {name} unpacks to more than {limit:N0} bytes, the limit for it");

    // A damaged entry fails while it is inflated; say which, without the inflater's details.
    private static Stream OpenEntry(ZipArchiveEntry entry, string source)
    {
        try
        {
            return entry.Open();
        }
        catch (InvalidDataException)
        {
            throw new InvalidDataException($"{source}: {entry.FullName} cannot be unpacked (damaged or an unsupported compression)");
        }
    }

    private static int ReadEntry(Stream from, byte[] chunk, string source, string name)
    {
        try
        {
            return from.Read(chunk);
        }
        catch (InvalidDataException)
        {
            throw new InvalidDataException($"{source}: {name} cannot be unpacked (damaged)");
        }
    }

    private static void VerifyChecksums(string source, IReadOnlyDictionary<string, string> hashes, string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            // Named by number only: the line is the zip's text, and an error is no place to repeat it.
            Match line = SumsLine().Match(lines[i].Trim());
            if (!line.Success) throw new InvalidDataException($"{source}: line {i + 1} of SHA256SUMS is not 'SHA-256 (64 hex digits), two spaces, file name'");
            string name = line.Groups[2].Value;
            if (!hashes.TryGetValue(name, out string? actual))
                throw new InvalidDataException($"{source}: line {i + 1} of SHA256SUMS lists {(Allowed.Contains(name) ? name : "a file")} that the zip does not hold");
            if (!string.Equals(actual, line.Groups[1].Value, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{source}: {name} does not match its SHA-256 in SHA256SUMS (corrupt or altered)");
        }
    }

    /// <summary>
    /// The staged files describe one network: the config reads, the weights load into it, and the ONNX file is an
    /// ONNX face model with the config's embedding size (exported from the weights when the zip has none).
    /// </summary>
    private (ModelConfig Config, TrainedModelConfig? Trained) Check(string staging, string source)
    {
        var staged = new ModelFolder(staging);
        string configPath = staged.Config;
        string onnx = staged.Onnx;
        try
        {
            ModelConfig config = ModelLoader.ReadConfig(configPath);
            TrainedModelConfig? trained = ReadTrainedConfig(configPath);
            using (LoadedModel model = ModelLoader.Load(staging, null, Device.Cpu))
            {
                if (!File.Exists(onnx)) OnnxExporter.Export(model.Network, config, onnx);
            }
            CheckOnnx(onnx, config.EmbeddingSize);
            return (config, trained);
        }
        catch (Exception e) when (e is InvalidDataException or CheckpointFormatException or ArgumentException or JsonException
                                      or FileNotFoundException or KeyNotFoundException or NotSupportedException or OnnxRuntimeException)
        {
            throw new InvalidDataException($"{source}: {Bounded(Redact(e.Message, staging))}", e);
        }
    }

    private static void CheckOnnx(string onnx, int embeddingSize)
    {
        using OnnxEmbeddingModel model = OnnxEmbeddingModel.Open(onnx);
        if (model.Dimension != embeddingSize)
            throw new InvalidDataException($"{ModelFolder.OnnxFile} gives {model.Dimension}-dimensional embeddings, config.json says {embeddingSize}");
    }

    private static TrainedModelConfig? ReadTrainedConfig(string path) => TrainedModelConfig.TryParse(File.ReadAllText(path));

    // The readers name the files they read by their full path; the uploader knows them as entries of the zip.
    private string Redact(string message, string staging) =>
        message.Replace(staging + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)
            .Replace(staging, "the zip", StringComparison.Ordinal)
            .Replace(paths.Home, "(the portal's home)", StringComparison.Ordinal);

    private static string Bounded(string message) => message.Length <= 400 ? message : message[..400] + "...";

    /// <summary>An entry name as an error may show it: printable, and short.</summary>
    private static string Shown(string name)
    {
        string printable = new(name.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return name.Length > 80 ? printable + "..." : printable;
    }

    [GeneratedRegex("^([0-9a-fA-F]{64})  ([^/\\\\]+)$")]
    private static partial Regex SumsLine();
}
