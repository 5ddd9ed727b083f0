using Microsoft.EntityFrameworkCore;
using PocketNet.Data.Registry;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests.Support;

/// <summary>A migrated SQLite store in a temporary folder, for tests of the portal's services without a host.</summary>
public sealed class TestStore : IDbContextFactory<PortalDbContext>, IDisposable
{
    private readonly TempDirectory _folder = new();

    public TestStore(bool migrate = true)
    {
        ConnectionString = $"Data Source={Path.Combine(_folder.Path, "portal.db")};Pooling=false";
        Options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(ConnectionString).Options;
        if (!migrate) return;
        using PortalDbContext db = CreateDbContext();
        db.Database.Migrate();
    }

    public DbContextOptions<PortalDbContext> Options { get; }

    public string ConnectionString { get; }

    public string Folder => _folder.Path;

    /// <summary>The repository's registry, its synthetic entries resolved against the tiny SynthFaces data.</summary>
    public static BenchmarkRegistry Registry { get; } = BenchmarkRegistry.Load(null, BenchmarkRoots.Resolve(null, TinySynthData.Root));

    public static DbContextOptions<PortalDbContext> Open(string databaseFile) =>
        new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={databaseFile};Pooling=false").Options;

    public PortalDbContext CreateDbContext() => new(Options);

    public void Dispose() => _folder.Dispose();
}
