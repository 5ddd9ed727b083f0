using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Catalog;

/// <summary>Reads stored models for the models list, a model's page and the run forms, so pages need no DbContext of their own.</summary>
public sealed class ModelQueries(IDbContextFactory<PortalDbContext> store)
{
    /// <summary>Every model with its results, newest first.</summary>
    public async Task<List<ModelRecord>> AllWithResultsAsync(CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Models.AsNoTracking().Include(m => m.Results).OrderByDescending(m => m.Id).ToListAsync(cancellation);
    }

    public async Task<ModelRecord?> FindAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellation);
    }

    /// <summary>Every result stored for one model, older evaluations included.</summary>
    public async Task<List<ResultRecord>> ResultsAsync(int modelId, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Results.AsNoTracking().Where(r => r.ModelId == modelId).ToListAsync(cancellation);
    }

    /// <summary>A model with its results, the float model it was quantised from and its own int8 model, where they exist.</summary>
    public async Task<(ModelRecord? Model, ModelRecord? FloatModel, ModelRecord? Int8)> PageAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        ModelRecord? model = await db.Models.AsNoTracking().Include(m => m.Results).FirstOrDefaultAsync(m => m.Id == id, cancellation);
        ModelRecord? floatModel = model?.QuantizedFromId is int source ? await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Id == source, cancellation) : null;
        ModelRecord? int8 = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.QuantizedFromId == id, cancellation);
        return (model, floatModel, int8);
    }

    /// <summary>
    /// The stored models a run form offers (teachers, models to evaluate): every model with files, newest first, and
    /// whether its training run is still here (multi-step KD reads the teacher run's checkpoints).
    /// </summary>
    public async Task<List<(StoredModelChoice Choice, bool HasConfig)>> FormChoicesAsync(CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        var models = await db.Models.AsNoTracking()
            .Where(m => m.Origin != ModelOrigin.Published && m.Folder != null)
            .OrderByDescending(m => m.Id)
            .Select(m => new { m.Id, m.DisplayName, m.Origin, m.EmbeddingSize, m.Parameters, m.SyntheticTraining, m.JobId, HasConfig = m.ConfigJson != null })
            .ToListAsync(cancellation);
        HashSet<int> jobsWithRuns = (await db.Jobs.AsNoTracking().Where(j => j.RunFolder != null).Select(j => j.Id).ToListAsync(cancellation)).ToHashSet();
        return models
            .Select(m => (new StoredModelChoice(m.Id, m.DisplayName, m.Origin, m.EmbeddingSize, m.Parameters, m.SyntheticTraining,
                m.JobId is int job && jobsWithRuns.Contains(job)), m.HasConfig))
            .ToList();
    }
}
