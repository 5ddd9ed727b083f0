using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Data.Registry;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// Published numbers (data/published-results.json: the PocketNet paper's rows, the compact models it compares with,
/// and the registry's other architectures from their own papers or READMEs), loaded into the store at start-up as
/// reference rows (<see cref="ModelOrigin.Published"/>): they have results but no weights, and are replaced whenever
/// the file changes. Each value keeps the metric its source names, which may differ from the column's own.
/// </summary>
public sealed class PublishedResults(IDbContextFactory<PortalDbContext> store, BenchmarkRegistry registry, ILogger<PublishedResults> log)
{
    public const string FileName = "published-results.json";

    /// <summary>
    /// Makes the published rows the file's: rows are matched by name and updated in place (so their ids, and links to
    /// them, stay), their results replaced; rows no longer in the file go. A missing file means no reference rows.
    /// </summary>
    public void Load(string path)
    {
        List<PublishedModel> models;
        if (File.Exists(path))
        {
            var real = registry.Benchmarks.Where(b => !b.IsSynthetic).Select(b => b.Name).ToHashSet();
            models = PublishedResultsFile.Read(path, real).Models!;
        }
        else
        {
            // Rows loaded from an earlier file go too: reference rows exist only while their source does.
            log.LogInformation("no {File}: the leaderboard has no published reference rows", path);
            models = [];
        }
        using PortalDbContext db = store.CreateDbContext();
        var existing = db.Models.Include(m => m.Results).Where(m => m.Origin == ModelOrigin.Published).ToDictionary(m => m.Name);
        foreach (PublishedModel model in models)
        {
            if (!existing.Remove(model.Name!, out ModelRecord? record))
            {
                record = new ModelRecord { Name = model.Name!, DisplayName = model.DisplayName!, Architecture = model.Architecture!, CreatedAt = DateTime.UtcNow };
                db.Models.Add(record);
            }
            Fill(record, model);
        }
        db.Models.RemoveRange(existing.Values);
        db.SaveChanges();
    }

    private void Fill(ModelRecord record, PublishedModel model)
    {
        record.DisplayName = model.DisplayName!;
        record.Origin = ModelOrigin.Published;
        record.Architecture = model.Architecture!;
        record.EmbeddingSize = model.EmbeddingSize ?? 0;
        record.Parameters = model.Parameters!.Value;
        record.MegaFlops = model.MegaFlops;
        record.MegaMacs = model.MegaMacs;
        record.TrainingMode = model.TrainingMode;
        record.TrainingData = model.TrainingData;
        record.Source = model.Source;
        record.SourceUrl = model.SourceUrl;
        record.Note = RowNote(model);
        record.Results.Clear();
        foreach (var (benchmark, value) in model.Results!)
        {
            BenchmarkEntry entry = registry.Benchmarks.First(b => b.Name == benchmark);
            record.Results.Add(new ResultRecord
            {
                Benchmark = entry.Name,
                DisplayName = entry.DisplayName,
                Protocol = entry.Protocol.ToString(),
                Synthetic = entry.IsSynthetic,
                // A version-1 file names no metric: its values are the column's headline.
                Metric = value.Metric ?? HeadlineMetrics.For(entry.Protocol),
                Note = value.Note,
                Value = value.Value!.Value / 100,
                Std = value.Std / 100,
                Runtime = "published",
                CreatedAt = DateTime.UtcNow,
            });
        }
    }

    // Numbers the registry has no column for travel in the row's note, so the model page and the footnote still show them.
    private static string? RowNote(PublishedModel model)
    {
        var others = model.OtherResults ?? [];
        if (others.Count == 0) return model.Note;
        string also = "Also published, without a column here: " + string.Join("; ", others) + ".";
        return model.Note is null ? also : $"{model.Note} {also}";
    }
}
