using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Annotations;

/// <summary>Writes the admin's tags and notes on a run or a model; the one place that validates them.</summary>
public sealed class AnnotationService(IDbContextFactory<PortalDbContext> store)
{
    public const int MaxNotesLength = 4000;

    /// <summary>Replaces a run's tags and notes; false when there is no such run.</summary>
    /// <exception cref="ArgumentException">The tags or the notes break a rule (the message says which).</exception>
    public async Task<bool> AnnotateRunAsync(int id, string? tags, string? notes, CancellationToken cancellation = default)
    {
        var (storedTags, storedNotes) = Validate(tags, notes);
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        int updated = await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(
            set => set.SetProperty(j => j.Tags, storedTags).SetProperty(j => j.Notes, storedNotes), cancellation);
        return updated == 1;
    }

    /// <summary>Replaces a model's tags and notes; false when there is no such model.</summary>
    /// <exception cref="ArgumentException">The tags or the notes break a rule (the message says which).</exception>
    public async Task<bool> AnnotateModelAsync(int id, string? tags, string? notes, CancellationToken cancellation = default)
    {
        var (storedTags, storedNotes) = Validate(tags, notes);
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        int updated = await db.Models.Where(m => m.Id == id).ExecuteUpdateAsync(
            set => set.SetProperty(m => m.Tags, storedTags).SetProperty(m => m.Notes, storedNotes), cancellation);
        return updated == 1;
    }

    private static (string? Tags, string? Notes) Validate(string? tags, string? notes)
    {
        string? trimmed = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim().ReplaceLineEndings("\n");
        if (trimmed is { Length: > MaxNotesLength })
            throw new ArgumentException($"notes are {trimmed.Length} characters long: at most {MaxNotesLength} are kept");
        return (Tags.Normalize(tags), trimmed);
    }
}
