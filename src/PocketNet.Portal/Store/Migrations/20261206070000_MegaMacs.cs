using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PocketNet.Portal.Store.Migrations;

/// <summary>
/// Models carry MACs beside FLOPs: papers quote one or the other (MobileFaceNet as 221 M MAdds and as 439.8 MFLOPs),
/// and a figure in the wrong unit is off by a factor of about two.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206070000_MegaMacs")]
public sealed class MegaMacs : Migration
{
    protected override void Up(MigrationBuilder migration) => migration.AddColumn<double>("MegaMacs", "Models", nullable: true);

    protected override void Down(MigrationBuilder migration) => migration.DropColumn("MegaMacs", "Models");
}
