using System.Net;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>Visitors never learn where the server keeps things: the login page, the datasets page and /api/datasets name no folder of the server; the admin sees them all.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class ServerPathTests(IdlePortal idle)
{
    [Fact]
    public async Task The_login_page_names_the_password_file_but_not_where_it_lies()
    {
        string page = await idle.Anonymous.GetStringAsync("/login");
        Assert.Contains("admin-password", page);
        Assert.DoesNotContain(idle.Portal.Home, page);
    }

    [Fact]
    public async Task Api_datasets_shows_visitors_relative_paths_and_the_admin_absolute_ones()
    {
        string visitor = await idle.Anonymous.GetStringAsync("/api/datasets");
        foreach (string folder in ServerFolders()) Assert.DoesNotContain(folder, visitor);
        Assert.Contains("\"registry\":\"benchmarks.json\"", visitor);
        Assert.Contains("synth_lfw.bin", visitor);

        string admin = await idle.Admin.GetStringAsync("/api/datasets");
        Assert.Contains(idle.Portal.SynthRoot, admin);
    }

    [Fact]
    public async Task The_datasets_page_shows_the_roots_to_the_admin_only()
    {
        string visitor = await PageForms.GetPageAsync(PageForms.Browser(idle.Portal), "/datasets");
        foreach (string folder in ServerFolders()) Assert.DoesNotContain(folder, visitor);
        Assert.Contains("<tr data-benchmark=\"synth_lfw\" data-state=\"Ready\"", visitor);

        HttpClient admin = PageForms.Browser(idle.Portal);
        await PageForms.SignInAsync(admin);
        Assert.Contains(idle.Portal.SynthRoot, await PageForms.GetPageAsync(admin, "/datasets"));
    }

    [Fact]
    public async Task A_host_name_the_portal_is_not_configured_for_is_refused()
    {
        // DNS rebinding: a page of evil.example, resolved to 127.0.0.1, reads the portal with its own Host header.
        var rebinding = new HttpRequestMessage(HttpMethod.Get, "/api/datasets");
        rebinding.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await idle.Anonymous.SendAsync(rebinding)).StatusCode);

        var local = new HttpRequestMessage(HttpMethod.Get, "/api/datasets");
        local.Headers.Host = "127.0.0.1:5000";
        Assert.Equal(HttpStatusCode.OK, (await idle.Anonymous.SendAsync(local)).StatusCode);
    }

    // The portal's home, the data roots and the repository (where the registry lies).
    private IEnumerable<string> ServerFolders() =>
        [idle.Portal.Home, idle.Portal.SynthRoot, Path.GetDirectoryName(PocketNet.Data.Registry.BenchmarkRoots.FindRepositoryDataFolder())!];
}
