using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// The first schema: jobs, models and their results. Written without store types so one migration serves SQLite
/// and PostgreSQL: each provider maps the CLR types itself and reads only its own identity annotation.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122050000_InitialStore")]
public sealed class InitialStore : Migration
{
    private const string SqliteIdentity = "Sqlite:Autoincrement";
    private const string NpgsqlIdentity = "Npgsql:ValueGenerationStrategy";

    protected override void Up(MigrationBuilder migration)
    {
        migration.CreateTable(
            name: "Jobs",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation(SqliteIdentity, true)
                    .Annotation(NpgsqlIdentity, NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                Kind = table.Column<string>(maxLength: 32, nullable: false),
                State = table.Column<string>(maxLength: 32, nullable: false),
                Title = table.Column<string>(maxLength: 200, nullable: false),
                RequestJson = table.Column<string>(nullable: false),
                Device = table.Column<string>(maxLength: 32, nullable: false),
                RunFolder = table.Column<string>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                StartedAt = table.Column<DateTime>(nullable: true),
                FinishedAt = table.Column<DateTime>(nullable: true),
                Progress = table.Column<double>(nullable: false),
                Phase = table.Column<string>(nullable: true),
                Loss = table.Column<double>(nullable: true),
                ImagesPerSecond = table.Column<double>(nullable: true),
                RemainingSeconds = table.Column<double>(nullable: true),
                Error = table.Column<string>(nullable: true),
                Resume = table.Column<bool>(nullable: false),
                Attempts = table.Column<int>(nullable: false),
                ModelId = table.Column<int>(nullable: true),
                Genotype = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Jobs", x => x.Id));

        migration.CreateTable(
            name: "Models",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation(SqliteIdentity, true)
                    .Annotation(NpgsqlIdentity, NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                Name = table.Column<string>(maxLength: 120, nullable: false),
                DisplayName = table.Column<string>(maxLength: 200, nullable: false),
                Origin = table.Column<string>(maxLength: 32, nullable: false),
                Architecture = table.Column<string>(maxLength: 64, nullable: false),
                ConfigJson = table.Column<string>(nullable: true),
                Genotype = table.Column<string>(nullable: true),
                EmbeddingSize = table.Column<int>(nullable: false),
                Parameters = table.Column<long>(nullable: false),
                MegaFlops = table.Column<double>(nullable: true),
                TrainingMode = table.Column<string>(nullable: true),
                TrainingData = table.Column<string>(nullable: true),
                SyntheticTraining = table.Column<bool>(nullable: false),
                Folder = table.Column<string>(nullable: true),
                JobId = table.Column<int>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                Source = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Models", x => x.Id));

        migration.CreateTable(
            name: "Results",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation(SqliteIdentity, true)
                    .Annotation(NpgsqlIdentity, NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ModelId = table.Column<int>(nullable: false),
                JobId = table.Column<int>(nullable: true),
                Benchmark = table.Column<string>(maxLength: 64, nullable: false),
                DisplayName = table.Column<string>(maxLength: 120, nullable: false),
                Protocol = table.Column<string>(maxLength: 32, nullable: false),
                Synthetic = table.Column<bool>(nullable: false),
                Metric = table.Column<string>(maxLength: 64, nullable: false),
                Value = table.Column<double>(nullable: false),
                Std = table.Column<double>(nullable: true),
                Runtime = table.Column<string>(maxLength: 32, nullable: false),
                Seconds = table.Column<double>(nullable: false),
                DetailsJson = table.Column<string>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Results", x => x.Id);
                table.ForeignKey("FK_Results_Models_ModelId", x => x.ModelId, "Models", "Id", onDelete: ReferentialAction.Cascade);
            });

        migration.CreateIndex("IX_Jobs_State", "Jobs", "State");
        migration.CreateIndex("IX_Models_Name", "Models", "Name", unique: true);
        migration.CreateIndex("IX_Results_ModelId_Benchmark", "Results", ["ModelId", "Benchmark"]);
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropTable("Results");
        migration.DropTable("Jobs");
        migration.DropTable("Models");
    }
}
