using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests.Support;

/// <summary>
/// Holds the job runner once, at the moment it claims a queued job (the store update that marks it Running), so a
/// test can act in exactly that window: just before the update reaches the store, or just after it is committed.
/// The claim may be a tracked save (committed when SaveChanges returns) or a single UPDATE statement (committed when
/// it has run); both are recognised.
/// </summary>
public sealed class JobClaimGate(bool holdAfterClaim) : DbCommandInterceptor, ISaveChangesInterceptor
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AsyncLocal<bool> _savingClaim = new();
    private int _held;

    /// <summary>Set when the runner is being held.</summary>
    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the held claim has been sent to the store (whether the store took it or not).</summary>
    public TaskCompletionSource Claimed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(command);
        return result;
    }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        await AfterAsync(command);
        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        await AfterAsync(command);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        _savingClaim.Value = eventData.Context!.ChangeTracker.Entries<JobRecord>()
            .Any(e => e.Property(j => j.State).IsModified && e.Entity.State == JobState.Running);
        return ValueTask.FromResult(result);
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (holdAfterClaim && _savingClaim.Value) await HoldAsync();
        _savingClaim.Value = false;
        return result;
    }

    private async Task BeforeAsync(DbCommand command)
    {
        if (!holdAfterClaim && IsClaim(command)) await HoldAsync();
    }

    private async Task AfterAsync(DbCommand command)
    {
        if (!IsClaim(command)) return;
        if (!holdAfterClaim) Claimed.TrySetResult();
        // A lone UPDATE is committed once it has run; a save is committed only when SaveChanges is done, so
        // SavedChangesAsync holds that one (a reader of its RETURNING clause still holds the write lock here).
        else if (!_savingClaim.Value) await HoldAsync();
    }

    private async Task HoldAsync()
    {
        if (Interlocked.Exchange(ref _held, 1) == 1) return;
        Reached.TrySetResult();
        await _release.Task.WaitAsync(TimeSpan.FromMinutes(2));
        if (holdAfterClaim) Claimed.TrySetResult();
    }

    // The runner's claim: an update of Jobs that sets the state Running (as a parameter, or inlined).
    private static bool IsClaim(DbCommand command) =>
        command.CommandText.Contains("UPDATE \"Jobs\"", StringComparison.Ordinal)
        && (command.CommandText.Contains("'Running'", StringComparison.Ordinal)
            || command.Parameters.Cast<DbParameter>().Any(p => "Running".Equals(p.Value)));
}
