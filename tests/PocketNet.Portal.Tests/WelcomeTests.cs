using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>What a first visit sees: what the portal is, a one-click first run for the admin, and the API as a page.</summary>
public sealed class WelcomeTests
{
    [Fact]
    public async Task A_first_visit_explains_the_portal_and_the_admin_starts_the_tiny_run_in_one_click()
    {
        using var portal = new PortalFactory();
        HttpClient browser = PageForms.Browser(portal);
        string visitor = await PageForms.GetPageAsync(browser, "/");
        Assert.Contains("trains and benchmarks compact face-recognition networks", visitor);
        Assert.Contains("id=\"start-here\"", visitor);
        Assert.DoesNotContain("id=\"start-here-form\"", visitor); // visitors are told to sign in

        await PageForms.SignInAsync(browser);
        string dashboard = await PageForms.GetPageAsync(browser, "/");
        HttpResponseMessage started = await PageForms.PostAsync(browser, "/", "start-here", dashboard, []);
        Assert.Equal(HttpStatusCode.Found, started.StatusCode);
        JobView job = Assert.Single((await portal.CreateClient().GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!);
        Assert.EndsWith($"/runs/{job.Id}", started.Headers.Location!.ToString());
        Assert.Equal(8, job.Request.GetProperty("channels").GetInt32());
        Assert.Equal(6, job.Request.GetProperty("cells").GetInt32());
        Assert.Equal(1, job.Request.GetProperty("epochs").GetInt32());
        Assert.Equal(["synth_lfw"], job.Request.GetProperty("benchmarks").EnumerateArray().Select(v => v.GetString()));

        // Once something has run, the dashboard keeps its paragraph but no longer offers the first run.
        string after = await PageForms.GetPageAsync(browser, "/");
        Assert.DoesNotContain("id=\"start-here\"", after);
        await portal.CreateAdminClient().PostAsync($"/api/runs/{job.Id}/cancel", null);
        Assert.Equal(JobState.Cancelled, (await PortalFactory.WaitForJobAsync(browser, job.Id)).State);
    }

    [Fact]
    public async Task The_api_page_lists_every_operation_with_who_may_call_it()
    {
        using var portal = new PortalFactory();
        string page = await PageForms.GetPageAsync(portal.CreateClient(), "/api-docs");
        string Row(string method, string route) =>
            Regex.Match(page, $@"<tr>\s*<td><code>{method}</code></td>\s*<td><code>{Regex.Escape(route)}</code></td>\s*<td>[^<]*</td>\s*<td>([a-z]+)</td>") is { Success: true } m
                ? m.Groups[1].Value
                : throw new Xunit.Sdk.XunitException($"no row for {method} {route}");
        Assert.Equal("admin", Row("POST", "/api/runs/{id:int}/cancel"));
        Assert.Equal("admin", Row("POST", "/api/models/import"));
        Assert.Equal("anyone", Row("GET", "/api/leaderboard"));
        Assert.Equal("anyone", Row("GET", "/api/models/{id:int}/zip"));
        Assert.DoesNotContain("<code>/api-docs</code>", page);
        Assert.Contains("href=\"openapi/v1.json\"", page);
    }
}
