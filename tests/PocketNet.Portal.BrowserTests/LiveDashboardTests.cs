using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using static Microsoft.Playwright.Assertions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// The dashboard as an open page: a run started elsewhere (through the API) appears in its jobs table, and its
/// progress bar advances to the end, pushed by the portal while the page stays as it is.
/// </summary>
public sealed class LiveDashboardTests(PortalInBrowser browser, ITestOutputHelper output) : IClassFixture<PortalInBrowser>
{
    [Fact]
    public async Task A_run_started_through_the_API_shows_on_the_open_dashboard_and_its_progress_bar_advances_live()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        string mark = "";
        int jobId = 0;

        await session.StepAsync("open the dashboard and sign in", async () =>
        {
            await session.GoToAsync("");
            await Expect(page.Locator("h1")).ToHaveTextAsync("Dashboard");
            await PortalPages.SignInAsync(page);
            Assert.Equal(session.Address.ToString(), page.Url);
            await PortalPages.WaitForLiveUpdatesAsync(page);
            mark = await PortalPages.MarkDocumentAsync(page);
        });

        await session.StepAsync("a run started through the API appears in the jobs table", async () =>
        {
            using HttpClient api = browser.CreateAdminApiClient();
            HttpResponseMessage started = await api.PostAsJsonAsync("/api/runs", TinyRuns.Training("browser-dashboard-run", epochs: 2, "synth_lfw"));
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"POST /api/runs answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
            jobId = (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Id;
            await Expect(page.Locator($"#jobs tr[data-job='{jobId}']"), $"job {jobId} never appeared in the open dashboard's #jobs table")
                .ToHaveCountAsync(1, new() { Timeout = 30_000 });
        });

        await session.StepAsync("its progress bar advances to 100 and the run succeeds", async () =>
        {
            string row = $"#jobs tr[data-job='{jobId}']";
            PortalPages.ProgressWatch watch = await PortalPages.WatchProgressAsync(page, $"{row} .progress[data-progress]",
                $"document.querySelector(\"{row}\")?.getAttribute('data-state')");
            output.WriteLine($"job {jobId}: the dashboard's progress bar showed {watch}");
            watch.AssertAdvancedTo100($"job {jobId} on the dashboard", await browser.DescribeJobAsync(jobId));
            await Expect(page.Locator(row), $"job {jobId} should end Succeeded").ToHaveAttributeAsync("data-state", "Succeeded",
                new() { Timeout = 30_000 });
            await PortalPages.AssertNotReloadedAsync(page, mark);
        });
    }
}
