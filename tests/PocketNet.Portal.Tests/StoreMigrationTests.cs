using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The hand-written migration and snapshot agree with the entities, and create the store from nothing.</summary>
public sealed class StoreMigrationTests
{
    [Fact]
    public void The_entity_model_has_no_changes_pending_against_the_migration_snapshot()
    {
        using var store = new TestStore(migrate: false);
        using PortalDbContext db = store.CreateDbContext();
        Assert.False(db.Database.HasPendingModelChanges(), "the entities changed without a migration (and snapshot update)");
    }

    [Fact]
    public void Migrating_an_empty_database_creates_the_three_tables()
    {
        using var store = new TestStore(migrate: false);
        using (PortalDbContext db = store.CreateDbContext())
        {
            Assert.Empty(db.Database.GetAppliedMigrations());
            Assert.Equal(["20261122050000_InitialStore", "20261206030000_JobEngine", "20261206060000_PublishedNotes", "20261206070000_ModelCosts", "20261206090000_Int8Models", "20261206100000_Annotations", "20261206110000_ArchitectureNames", "20261206113000_AttemptsAndProgress"], db.Database.GetPendingMigrations());
            db.Database.Migrate();
            Assert.Empty(db.Database.GetPendingMigrations());
        }
        using var connection = new SqliteConnection(store.ConnectionString);
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        var tables = new List<string>();
        using (SqliteDataReader reader = command.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        // EF's own bookkeeping tables (__EFMigrationsHistory, __EFMigrationsLock) aside, the portal's three.
        Assert.Equal(["Jobs", "Models", "Results"], tables.Where(t => !t.StartsWith("__EF", StringComparison.Ordinal)));
        Assert.Contains("__EFMigrationsHistory", tables);
    }

    [Fact]
    public void Migrating_twice_changes_nothing()
    {
        using var store = new TestStore();
        using PortalDbContext db = store.CreateDbContext();
        db.Database.Migrate();
        Assert.Equal(8, db.Database.GetAppliedMigrations().Count());
    }

    [Fact]
    public void A_model_stored_as_a_cell_network_is_named_pocketnet_like_the_papers_rows()
    {
        using var store = new TestStore(migrate: false);
        using (PortalDbContext db = store.CreateDbContext())
            db.GetInfrastructure().GetRequiredService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().Migrate("20261206100000_Annotations");
        using (PortalDbContext db = store.CreateDbContext())
        {
            db.Models.Add(new ModelRecord { Name = "trained", DisplayName = "trained", Architecture = "CellNetwork" });
            db.Models.Add(new ModelRecord { Name = "other", DisplayName = "other", Architecture = "MobileFaceNet" });
            db.SaveChanges();
            db.Database.Migrate();
        }
        using (PortalDbContext db = store.CreateDbContext())
            Assert.Equal(["MobileFaceNet", "PocketNet"], db.Models.OrderBy(m => m.Architecture).Select(m => m.Architecture).ToList());
        Assert.Equal("PocketNet", Catalog.ModelStore.FamilyName(PocketNet.Models.Registry.Architecture.CellNetwork));
        Assert.Equal("EdgeFace", Catalog.ModelStore.FamilyName(PocketNet.Models.Registry.Architecture.EdgeFace));
    }

    [Fact]
    public void Enums_are_stored_by_name_and_times_read_back_as_utc()
    {
        using var store = new TestStore();
        var created = new DateTime(2026, 11, 22, 5, 0, 0, DateTimeKind.Utc);
        using (PortalDbContext db = store.CreateDbContext())
        {
            db.Jobs.Add(new JobRecord { Kind = JobKind.Search, State = JobState.Cancelled, Title = "t", RequestJson = "{}", Device = "cpu", CreatedAt = created });
            db.SaveChanges();
            Assert.Equal(["Search|Cancelled"], db.Database.SqlQueryRaw<string>("SELECT Kind || '|' || State AS Value FROM Jobs").ToList());
        }
        using (PortalDbContext db = store.CreateDbContext())
        {
            JobRecord job = db.Jobs.Single();
            Assert.Equal(DateTimeKind.Utc, job.CreatedAt.Kind);
            Assert.Equal(created, job.CreatedAt);
            Assert.Equal(JobState.Cancelled, job.State);
        }
    }

    [Fact]
    public void Model_names_are_unique()
    {
        using var store = new TestStore();
        using PortalDbContext db = store.CreateDbContext();
        db.Models.Add(new ModelRecord { Name = "same", DisplayName = "one", Architecture = "ONNX" });
        db.SaveChanges();
        db.Models.Add(new ModelRecord { Name = "same", DisplayName = "two", Architecture = "ONNX" });
        Assert.Throws<DbUpdateException>(() => db.SaveChanges());
    }

    [Fact]
    public void Deleting_a_model_deletes_its_results()
    {
        using var store = new TestStore();
        using (PortalDbContext db = store.CreateDbContext())
        {
            var model = new ModelRecord { Name = "m", DisplayName = "m", Architecture = "ONNX" };
            model.Results.Add(new ResultRecord { Benchmark = "lfw", DisplayName = "LFW", Protocol = "Pairs", Metric = "accuracy", Runtime = "onnx", Value = 0.5 });
            db.Models.Add(model);
            db.SaveChanges();
        }
        using (PortalDbContext db = store.CreateDbContext())
        {
            db.Models.Remove(db.Models.Single());
            db.SaveChanges();
            Assert.Empty(db.Results);
        }
    }
}
