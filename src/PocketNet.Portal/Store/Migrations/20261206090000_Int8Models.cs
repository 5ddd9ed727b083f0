using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// int8 models quantised by the portal keep the float model they came from, so the leaderboard can set them beside
/// it with the accuracy change and the speed-up. A plain indexed column, not a foreign key: deleting the float model
/// leaves its int8 model standing on its own (ModelStore clears the link).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206090000_Int8Models")]
public sealed class Int8Models : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<int>("QuantizedFromId", "Models", nullable: true);
        migration.CreateIndex("IX_Models_QuantizedFromId", "Models", "QuantizedFromId");
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropIndex("IX_Models_QuantizedFromId", "Models");
        migration.DropColumn("QuantizedFromId", "Models");
    }
}
