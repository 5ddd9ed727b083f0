using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// Jobs run on Hangfire: each job names its queue and the engine's id of its execution, and the worker that runs
/// it keeps a heartbeat (its hold on the job) and reads a cancel request from the store.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206030000_JobEngine")]
public sealed class JobEngine : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<string>("Queue", "Jobs", maxLength: 32, nullable: false, defaultValue: "cpu");
        migration.AddColumn<string>("EngineJobId", "Jobs", maxLength: 64, nullable: true);
        migration.AddColumn<string>("Worker", "Jobs", maxLength: 200, nullable: true);
        migration.AddColumn<DateTime>("HeartbeatAt", "Jobs", nullable: true);
        migration.AddColumn<bool>("CancelRequested", "Jobs", nullable: false, defaultValue: false);
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropColumn("Queue", "Jobs");
        migration.DropColumn("EngineJobId", "Jobs");
        migration.DropColumn("Worker", "Jobs");
        migration.DropColumn("HeartbeatAt", "Jobs");
        migration.DropColumn("CancelRequested", "Jobs");
    }
}
