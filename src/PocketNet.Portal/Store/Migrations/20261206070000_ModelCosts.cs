using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// Models carry MACs beside FLOPs (papers quote one or the other: MobileFaceNet as 221 M MAdds and as 439.8 MFLOPs,
/// and a figure in the wrong unit is off by a factor of about two) and the latency measured on the host that
/// registered them, with that host's CPU.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206070000_ModelCosts")]
public sealed class ModelCosts : Migration
{
    protected override void Up(MigrationBuilder migration)
    {
        migration.AddColumn<double>("MegaMacs", "Models", nullable: true);
        migration.AddColumn<double>("LatencyMilliseconds", "Models", nullable: true);
        migration.AddColumn<string>("LatencyHost", "Models", maxLength: 200, nullable: true);
    }

    protected override void Down(MigrationBuilder migration)
    {
        migration.DropColumn("MegaMacs", "Models");
        migration.DropColumn("LatencyMilliseconds", "Models");
        migration.DropColumn("LatencyHost", "Models");
    }
}
