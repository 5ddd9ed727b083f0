using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// Published reference rows carry a link to their source and a note, and each published value a note of its own
/// (which source it follows where sources disagree, or why its metric is not the column's).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206060000_PublishedNotes")]
public sealed class PublishedNotes : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<string>("SourceUrl", "Models", maxLength: 400, nullable: true);
        migration.AddColumn<string>("Note", "Models", nullable: true);
        migration.AddColumn<string>("Note", "Results", nullable: true);
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropColumn("SourceUrl", "Models");
        migration.DropColumn("Note", "Models");
        migration.DropColumn("Note", "Results");
    }
}
