using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// The time a job has run over all its attempts, so "took" counts a resumed job's first attempts too; and its latest
/// progress event, so pages and the API show a check's or an evaluation's own figures from any host.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206113000_AttemptsAndProgress")]
public sealed class AttemptsAndProgress : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<double>("RunSeconds", "Jobs", nullable: false, defaultValue: 0.0);
        migration.AddColumn<string>("ProgressJson", "Jobs", nullable: true);
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropColumn("RunSeconds", "Jobs");
        migration.DropColumn("ProgressJson", "Jobs");
    }
}
