using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// One name per architecture: models trained here were stored as "CellNetwork" (the engine's class) while the
/// paper's rows say "PocketNet"; every cell network is now "PocketNet" (see ModelStore.FamilyName).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206110000_ArchitectureNames")]
public sealed class ArchitectureNames : Migration
{
    protected override void Up(MigrationBuilder migration) =>
        migration.Sql("UPDATE \"Models\" SET \"Architecture\" = 'PocketNet' WHERE \"Architecture\" = 'CellNetwork'");

    // Which "PocketNet" rows were "CellNetwork" is not kept; they stay PocketNet, which the older code also reads.
    protected override void Down(MigrationBuilder migration)
    {
    }
}
