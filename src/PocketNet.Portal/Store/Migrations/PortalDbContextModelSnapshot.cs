using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// The model as of the newest migration. EF Core compares it with the live model at start-up (pending changes are
/// an error), and a test checks that they agree, so a schema change without its migration fails the build's tests.
/// </summary>
[DbContext(typeof(PortalDbContext))]
public sealed class PortalDbContextModelSnapshot : ModelSnapshot
{
    protected override void BuildModel(ModelBuilder model)
    {
        model.HasAnnotation("ProductVersion", "10.0.14");

        model.Entity("PocketNet.Portal.Store.JobRecord", b =>
        {
            Identity(b);
            b.Property<int>("Attempts");
            b.Property<DateTime>("CreatedAt");
            b.Property<bool>("CancelRequested");
            b.Property<string>("Device").IsRequired().HasMaxLength(32);
            b.Property<string>("EngineJobId").HasMaxLength(64);
            b.Property<string>("Error");
            b.Property<DateTime?>("FinishedAt");
            b.Property<string>("Genotype");
            b.Property<DateTime?>("HeartbeatAt");
            b.Property<double?>("ImagesPerSecond");
            b.Property<string>("Kind").IsRequired().HasMaxLength(32);
            b.Property<double?>("Loss");
            b.Property<int?>("ModelId");
            b.Property<string>("Phase");
            b.Property<double>("Progress");
            b.Property<string>("ProgressJson");
            b.Property<string>("Queue").IsRequired().HasMaxLength(32);
            b.Property<double?>("RemainingSeconds");
            b.Property<string>("RequestJson").IsRequired();
            b.Property<bool>("Resume");
            b.Property<string>("RunFolder");
            b.Property<double>("RunSeconds");
            b.Property<DateTime?>("StartedAt");
            b.Property<string>("State").IsRequired().HasMaxLength(32);
            b.Property<string>("Notes");
            b.Property<string>("Tags").HasMaxLength(400);
            b.Property<string>("Title").IsRequired().HasMaxLength(200);
            b.Property<string>("Worker").HasMaxLength(200);
            b.HasKey("Id");
            b.HasIndex("State");
            b.ToTable("Jobs");
        });

        model.Entity("PocketNet.Portal.Store.ModelRecord", b =>
        {
            Identity(b);
            b.Property<string>("Architecture").IsRequired().HasMaxLength(64);
            b.Property<string>("ConfigJson");
            b.Property<DateTime>("CreatedAt");
            b.Property<string>("DisplayName").IsRequired().HasMaxLength(200);
            b.Property<int>("EmbeddingSize");
            b.Property<string>("Folder");
            b.Property<string>("Genotype");
            b.Property<int?>("JobId");
            b.Property<double?>("MegaFlops");
            b.Property<double?>("MegaMacs");
            b.Property<string>("LatencyHost").HasMaxLength(200);
            b.Property<double?>("LatencyMilliseconds");
            b.Property<string>("Name").IsRequired().HasMaxLength(120);
            b.Property<string>("Note");
            b.Property<string>("Notes");
            b.Property<string>("Origin").IsRequired().HasMaxLength(32);
            b.Property<long>("Parameters");
            b.Property<int?>("QuantizedFromId");
            b.Property<string>("Source");
            b.Property<string>("SourceUrl").HasMaxLength(400);
            b.Property<bool>("SyntheticTraining");
            b.Property<string>("Tags").HasMaxLength(400);
            b.Property<string>("TrainingData");
            b.Property<string>("TrainingMode");
            b.HasKey("Id");
            b.HasIndex("Name").IsUnique();
            b.HasIndex("QuantizedFromId");
            b.ToTable("Models");
        });

        model.Entity("PocketNet.Portal.Store.ResultRecord", b =>
        {
            Identity(b);
            b.Property<string>("Benchmark").IsRequired().HasMaxLength(64);
            b.Property<DateTime>("CreatedAt");
            b.Property<string>("DetailsJson");
            b.Property<string>("DisplayName").IsRequired().HasMaxLength(120);
            b.Property<int?>("JobId");
            b.Property<string>("Metric").IsRequired().HasMaxLength(64);
            b.Property<int>("ModelId");
            b.Property<string>("Note");
            b.Property<string>("Protocol").IsRequired().HasMaxLength(32);
            b.Property<string>("Runtime").IsRequired().HasMaxLength(32);
            b.Property<double>("Seconds");
            b.Property<double?>("Std");
            b.Property<bool>("Synthetic");
            b.Property<double>("Value");
            b.HasKey("Id");
            b.HasIndex("ModelId", "Benchmark");
            b.ToTable("Results");
        });

        model.Entity("PocketNet.Portal.Store.ResultRecord", b =>
        {
            b.HasOne("PocketNet.Portal.Store.ModelRecord", "Model")
                .WithMany("Results")
                .HasForeignKey("ModelId")
                .OnDelete(DeleteBehavior.Cascade)
                .IsRequired();
            b.Navigation("Model");
        });

        model.Entity("PocketNet.Portal.Store.ModelRecord", b => b.Navigation("Results"));
    }

    private static void Identity(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder b) =>
        b.Property<int>("Id").ValueGeneratedOnAdd()
            .HasAnnotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
