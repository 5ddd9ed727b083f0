using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>Tags and notes the admin writes on runs and models, as experiment trackers keep them.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206100000_Annotations")]
public sealed class Annotations : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        foreach (string table in new[] { "Jobs", "Models" })
        {
            migration.AddColumn<string>("Tags", table, maxLength: 400, nullable: true);
            migration.AddColumn<string>("Notes", table, nullable: true);
        }
    }

    protected override void Down(MigrationBuilder migration)
    {
        foreach (string table in new[] { "Jobs", "Models" })
        {
            migration.DropColumn("Tags", table);
            migration.DropColumn("Notes", table);
        }
    }
}
