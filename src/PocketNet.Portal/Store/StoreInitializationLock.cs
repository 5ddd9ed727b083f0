using Microsoft.EntityFrameworkCore;

namespace PocketNet.Portal.Store;

/// <summary>
/// Makes processes that start at once on one PostgreSQL database initialise it one after another (migrations,
/// reference rows, the engine's schema): a session advisory lock on the context's connection, which stays open
/// until the lock is released. PostgreSQL releases it too when the session ends, so a process that dies holding
/// it blocks nobody. SQLite serves one host: nothing to take.
/// </summary>
public sealed class StoreInitializationLock : IAsyncDisposable
{
    // Any fixed 64-bit key that no other application on the database uses: "PocketNt".
    private const long Key = 0x506F636B65744E74;

    private readonly PortalDbContext? _db;

    private StoreInitializationLock(PortalDbContext? db) => _db = db;

    public static async Task<StoreInitializationLock> AcquireAsync(PortalDbContext db, CancellationToken cancellation)
    {
        if (!db.Database.IsNpgsql()) return new StoreInitializationLock(null);
        await db.Database.OpenConnectionAsync(cancellation);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({Key})", cancellation);
        return new StoreInitializationLock(db);
    }

    public async ValueTask DisposeAsync()
    {
        if (_db is null) return;
        try
        {
            await _db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({Key})");
        }
        finally
        {
            await _db.Database.CloseConnectionAsync();
        }
    }
}
