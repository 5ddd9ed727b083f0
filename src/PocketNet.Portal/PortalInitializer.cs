using Hangfire.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Data.Registry;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Torch;

namespace PocketNet.Portal;

/// <summary>
/// Runs once at start-up, before the engine's workers: applies the store's migrations, loads the published
/// reference rows, registers the synthetic leaderboard's random-weights floor and installs the engine's schema (PostgreSQL) under one lock, so processes starting together on
/// one database take turns, makes sure the admin has a password (generating one on first start), and sets up the engine for
/// long-lived inference and training (threads, allocator).
/// </summary>
public sealed class PortalInitializer(
    IDbContextFactory<PortalDbContext> store,
    PublishedResults published,
    RandomBaseline randomBaseline,
    BenchmarkRegistry registry,
    AdminCredentials credentials,
    IOptions<JobEngineOptions> engine,
    ILogger<PortalInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellation)
    {
        await using (PortalDbContext db = await store.CreateDbContextAsync(cancellation))
        await using (await StoreInitializationLock.AcquireAsync(db, cancellation))
        {
            await db.Database.MigrateAsync(cancellation);
            published.Load(Path.Combine(Path.GetDirectoryName(registry.Source)!, PublishedResults.FileName));
            if (db.Database.IsNpgsql())
                PostgreSqlObjectsInstaller.Install((NpgsqlConnection)db.Database.GetDbConnection(), PortalJobsSetup.PostgresSchema);
            // Under the lock too: hosts starting together register the floor once.
            if (engine.Value.ServesPages) await randomBaseline.EnsureAsync(cancellation);
        }
        log.LogInformation("admin: user '{User}', password from {Source}", AdminCredentials.UserName, credentials.PasswordSource);
        // A process that serves pages leaves them a core (EngineThreads); a worker-only host computes on all of them.
        EngineThreads.Apply(servesPages: engine.Value.ServesPages);
        // Keeps freed memory in the process, so each training step does not fault its pages in again (bench/RESULTS.md).
        log.LogInformation("engine: libtorch {Version}, {Threads} threads, {Allocator}", Engine.Version, Engine.Threads, Engine.KeepFreedMemory());
    }

    public Task StopAsync(CancellationToken cancellation) => Task.CompletedTask;
}
