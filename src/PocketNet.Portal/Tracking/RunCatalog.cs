using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Store;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tracking;

/// <summary>Reads runs for the dashboard, the runs list, a run's page and the comparison, so pages need no DbContext of their own.</summary>
public sealed class RunCatalog(IDbContextFactory<PortalDbContext> store)
{
    public const int MaxCompared = 8;

    public async Task<RunList> ListAsync(RunListQuery query, CancellationToken cancellation = default)
    {
        query = query.Clamped();
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        IQueryable<JobRecord> runs = db.Jobs.AsNoTracking();
        if (query.Kind is { } kind) runs = runs.Where(j => j.Kind == kind);
        if (query.State is { } state) runs = runs.Where(j => j.State == state);
        if (query.Tag is { } tag) runs = runs.Where(j => EF.Functions.Like("," + j.Tags + ",", Annotations.Tags.ContainsPattern(tag), Annotations.Tags.LikeEscape));
        if (query.Text is { } text)
        {
            string lower = text.ToLowerInvariant();
            runs = runs.Where(j => j.Title.ToLower().Contains(lower) || (j.Notes != null && j.Notes.ToLower().Contains(lower)));
        }
        int total = await runs.CountAsync(cancellation);
        List<JobRecord> page = await Ordered(runs, query).Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToListAsync(cancellation);
        List<string?> tagLists = await db.Jobs.AsNoTracking().Where(j => j.Tags != null).Select(j => j.Tags).Distinct().ToListAsync(cancellation);
        var tags = tagLists.SelectMany(Annotations.Tags.Split).Distinct().Order(StringComparer.Ordinal).ToList();
        return new RunList(page, total, query, tags);
    }

    public async Task<JobRecord?> FindAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellation);
    }

    /// <summary>The dashboard's jobs: every running and queued one (running first), and the newest finished ones.</summary>
    public async Task<(List<JobRecord> Active, List<JobRecord> Finished)> BoardAsync(int finishedShown, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<JobRecord> active = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobState.Running || j.State == JobState.Queued)
            .OrderBy(j => j.State == JobState.Running ? 0 : 1).ThenBy(j => j.Id)
            .ToListAsync(cancellation);
        List<JobRecord> finished = await db.Jobs.AsNoTracking()
            .Where(j => j.State != JobState.Running && j.State != JobState.Queued)
            .OrderByDescending(j => j.FinishedAt ?? j.CreatedAt).ThenByDescending(j => j.Id)
            .Take(finishedShown)
            .ToListAsync(cancellation);
        return (active, finished);
    }

    /// <summary>Whether any training job was ever queued (the dashboard's welcome says more to a first visit).</summary>
    public async Task<bool> AnyTrainingAsync(CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Jobs.AnyAsync(j => j.Kind == JobKind.Training, cancellation);
    }

    /// <summary>The results one job stored, by benchmark.</summary>
    public async Task<List<ResultRecord>> ResultsAsync(int jobId, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Results.AsNoTracking().Where(r => r.JobId == jobId).OrderBy(r => r.Benchmark).ToListAsync(cancellation);
    }

    /// <summary>The runs of <paramref name="ids"/> that exist, in the order asked for (at most <see cref="MaxCompared"/>).</summary>
    public async Task<IReadOnlyList<JobRecord>> FindAsync(IReadOnlyCollection<int> ids, CancellationToken cancellation = default)
    {
        int[] wanted = ids.Distinct().Take(MaxCompared).ToArray();
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<JobRecord> found = await db.Jobs.AsNoTracking().Where(j => wanted.Contains(j.Id)).ToListAsync(cancellation);
        return wanted.Select(id => found.FirstOrDefault(j => j.Id == id)).OfType<JobRecord>().ToList();
    }

    /// <summary>The results each run stored, by job id.</summary>
    public async Task<ILookup<int, ResultRecord>> ResultsAsync(IReadOnlyCollection<int> jobIds, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<ResultRecord> results = await db.Results.AsNoTracking().Where(r => r.JobId != null && jobIds.Contains(r.JobId.Value)).ToListAsync(cancellation);
        return results.ToLookup(r => r.JobId!.Value);
    }

    /// <summary>The options a run resolved when it started (its run folder's options file), or null when it has none.</summary>
    public static string? ReadResolvedOptions(string? runFolder)
    {
        if (runFolder is null) return null;
        string path = Path.Combine(runFolder, RunDirectory.OptionsFile);
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static IQueryable<JobRecord> Ordered(IQueryable<JobRecord> runs, RunListQuery query) => (query.Sort, query.Descending) switch
    {
        (RunSort.Title, false) => runs.OrderBy(j => j.Title).ThenBy(j => j.Id),
        (RunSort.Title, true) => runs.OrderByDescending(j => j.Title).ThenByDescending(j => j.Id),
        (RunSort.State, false) => runs.OrderBy(j => j.State).ThenBy(j => j.Id),
        (RunSort.State, true) => runs.OrderByDescending(j => j.State).ThenByDescending(j => j.Id),
        (RunSort.Created, false) => runs.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id),
        (RunSort.Created, true) => runs.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id),
        // Unfinished runs last either way: they have no end yet.
        (RunSort.Finished, false) => runs.OrderBy(j => j.FinishedAt == null).ThenBy(j => j.FinishedAt).ThenBy(j => j.Id),
        (RunSort.Finished, true) => runs.OrderBy(j => j.FinishedAt == null).ThenByDescending(j => j.FinishedAt).ThenByDescending(j => j.Id),
        (RunSort.Loss, false) => runs.OrderBy(j => j.Loss == null).ThenBy(j => j.Loss).ThenBy(j => j.Id),
        (RunSort.Loss, true) => runs.OrderBy(j => j.Loss == null).ThenByDescending(j => j.Loss).ThenByDescending(j => j.Id),
        (_, false) => runs.OrderBy(j => j.Id),
        _ => runs.OrderByDescending(j => j.Id),
    };
}
