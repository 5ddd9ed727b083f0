using Microsoft.EntityFrameworkCore;

namespace PocketNet.Portal.Store;

/// <summary>
/// The portal's store: jobs, models and results. SQLite by default, PostgreSQL by configuration; the schema is
/// created and upgraded by the migrations in Store/Migrations at start-up. Enums are stored as their names so
/// the database reads plainly.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : DbContext(options)
{
    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<ModelRecord> Models => Set<ModelRecord>();
    public DbSet<ResultRecord> Results => Set<ResultRecord>();

    // SQLite keeps no time zone: every time the portal stores is UTC, and reads say so.
    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<JobRecord>(job =>
        {
            job.ToTable("Jobs");
            job.Property(j => j.Kind).HasConversion<string>().HasMaxLength(32);
            job.Property(j => j.State).HasConversion<string>().HasMaxLength(32);
            job.Property(j => j.Title).HasMaxLength(200);
            job.Property(j => j.Device).HasMaxLength(32);
            job.Property(j => j.Queue).HasMaxLength(32);
            job.Property(j => j.EngineJobId).HasMaxLength(64);
            job.Property(j => j.Worker).HasMaxLength(200);
            job.Property(j => j.Tags).HasMaxLength(Annotations.Tags.MaxStoredLength);
            job.HasIndex(j => j.State);
        });
        model.Entity<ModelRecord>(m =>
        {
            m.ToTable("Models");
            m.Property(x => x.Name).HasMaxLength(120);
            m.Property(x => x.DisplayName).HasMaxLength(200);
            m.Property(x => x.LatencyHost).HasMaxLength(200);
            m.Property(x => x.Origin).HasConversion<string>().HasMaxLength(32);
            m.Property(x => x.Architecture).HasMaxLength(64);
            m.Property(x => x.SourceUrl).HasMaxLength(400);
            m.Property(x => x.Tags).HasMaxLength(Annotations.Tags.MaxStoredLength);
            m.HasIndex(x => x.Name).IsUnique();
            m.HasIndex(x => x.QuantizedFromId);
            m.HasMany(x => x.Results).WithOne(r => r.Model).HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ResultRecord>(r =>
        {
            r.ToTable("Results");
            r.Property(x => x.Benchmark).HasMaxLength(64);
            r.Property(x => x.DisplayName).HasMaxLength(120);
            r.Property(x => x.Protocol).HasMaxLength(32);
            r.Property(x => x.Metric).HasMaxLength(64);
            r.Property(x => x.Runtime).HasMaxLength(32);
            r.HasIndex(x => new { x.ModelId, x.Benchmark });
        });
    }
}

/// <summary>Stores times as they are (UTC) and marks them UTC when read back.</summary>
public sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
