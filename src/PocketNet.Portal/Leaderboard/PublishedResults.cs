using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Data.Registry;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// The paper's published numbers (data/published-results.json), loaded into the store at start-up as reference
/// rows (<see cref="ModelOrigin.Published"/>): they have results but no weights, and are replaced whenever the file changes.
/// </summary>
public sealed class PublishedResults(IDbContextFactory<PortalDbContext> store, BenchmarkRegistry registry, ILogger<PublishedResults> log)
{
    public const string FileName = "published-results.json";
    private const int PublishedFileVersion = 1;

    private sealed record PublishedFile(int Version, List<PublishedModel> Models);

    private sealed record PublishedModel(
        string Name, string DisplayName, string Architecture, int EmbeddingSize, long Parameters, double? MegaFlops,
        string TrainingMode, string TrainingData, string Source, Dictionary<string, PublishedValue> Results);

    private sealed record PublishedValue(double Value, double? Std);

    /// <summary>
    /// Makes the published rows the file's: rows are matched by name and updated in place (so their ids, and links to
    /// them, stay), their results replaced; rows no longer in the file go. A missing file means no reference rows.
    /// </summary>
    public void Load(string path)
    {
        PublishedFile file;
        if (File.Exists(path)) file = Read(path);
        else
        {
            // Rows loaded from an earlier file go too: reference rows exist only while their source does.
            log.LogInformation("no {File}: the leaderboard has no published reference rows", path);
            file = new PublishedFile(PublishedFileVersion, []);
        }
        using PortalDbContext db = store.CreateDbContext();
        var existing = db.Models.Include(m => m.Results).Where(m => m.Origin == ModelOrigin.Published).ToDictionary(m => m.Name);
        foreach (PublishedModel model in file.Models)
        {
            if (!existing.Remove(model.Name, out ModelRecord? record))
            {
                record = new ModelRecord { Name = model.Name, DisplayName = model.DisplayName, Architecture = model.Architecture, CreatedAt = DateTime.UtcNow };
                db.Models.Add(record);
            }
            Fill(record, model, path);
        }
        db.Models.RemoveRange(existing.Values);
        db.SaveChanges();
    }

    private static PublishedFile Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<PublishedFile>(File.ReadAllText(path), StoreJson.Options)
                   ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid published-results file: {e.Message}", e);
        }
    }

    private void Fill(ModelRecord record, PublishedModel model, string path)
    {
        record.DisplayName = model.DisplayName;
        record.Origin = ModelOrigin.Published;
        record.Architecture = model.Architecture;
        record.EmbeddingSize = model.EmbeddingSize;
        record.Parameters = model.Parameters;
        record.MegaFlops = model.MegaFlops;
        record.TrainingMode = model.TrainingMode;
        record.TrainingData = model.TrainingData;
        record.Source = model.Source;
        record.Results.Clear();
        foreach (var (benchmark, value) in model.Results)
        {
            BenchmarkEntry entry = registry.Benchmarks.FirstOrDefault(b => b.Name == benchmark)
                ?? throw new InvalidDataException($"{path}: {model.Name} names unknown benchmark '{benchmark}'");
            record.Results.Add(new ResultRecord
            {
                Benchmark = entry.Name,
                DisplayName = entry.DisplayName,
                Protocol = entry.Protocol.ToString(),
                Synthetic = entry.IsSynthetic,
                Metric = HeadlineMetrics.For(entry.Protocol),
                Value = value.Value / 100,
                Std = value.Std / 100,
                Runtime = "published",
                CreatedAt = DateTime.UtcNow,
            });
        }
    }
}
