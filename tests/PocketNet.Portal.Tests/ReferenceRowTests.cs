using System.Net;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The paper's rows come from data/published-results.json: the API cannot delete them (they would return, renumbered, at the next start).</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class ReferenceRowTests(IdlePortal idle)
{
    [Fact]
    public async Task Deleting_a_published_reference_row_is_a_conflict_that_names_the_file()
    {
        int id;
        await using (PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync())
            id = await db.Models.Where(m => m.Origin == ModelOrigin.Published).Select(m => m.Id).FirstAsync();

        HttpResponseMessage response = await idle.Portal.CreateAdminClient().DeleteAsync($"/api/models/{id}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("published-results.json", await response.Content.ReadAsStringAsync());
        await using PortalDbContext after = await idle.Portal.Store.CreateDbContextAsync();
        Assert.True(await after.Models.AnyAsync(m => m.Id == id));
    }
}
