using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using PocketNet.Portal.Api;
using PocketNet.Application.Training;
using static Microsoft.Playwright.Assertions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// What a researcher does with runs once they are going, in the browser: watch one through its checks, cancel it and
/// resume it from the run page (the page follows without a reload), compare two runs, tag a model, and find every
/// navigation link on a phone-width screen.
/// </summary>
public sealed partial class RunControlFlowTests(PortalInBrowser browser, ITestOutputHelper output) : IClassFixture<PortalInBrowser>
{
    [Fact]
    public async Task Watch_a_run_through_its_checks_cancel_it_resume_it_and_compare_it_with_another()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        using HttpClient api = browser.CreateAdminApiClient();
        JobView run = await StartAsync(api, TinyRuns.Training("browser-control", epochs: 40, "synth_lfw"));
        JobView other = await StartAsync(api, TinyRuns.Steady("browser-other", epochs: 1));
        string mark = "";
        int before = 0;

        await session.StepAsync("open the run page signed in; it goes live", async () =>
        {
            await session.GoToAsync("");
            await PortalPages.SignInAsync(page);
            await session.GoToAsync($"runs/{run.Id}");
            await PortalPages.WaitForLiveUpdatesAsync(page);
            mark = await PortalPages.MarkDocumentAsync(page);
        });

        await session.StepAsync("its progress moves and a validation check shows on the accuracy chart", async () =>
        {
            await Expect(page.Locator("#run-state"), "the run should start").ToHaveTextAsync("Running", new() { Timeout = 120_000 });
            await Expect(page.Locator("#accuracy-chart[data-points]:not([data-points='0'])"), "no accuracy check reached the open page")
                .ToHaveCountAsync(1, new() { Timeout = 120_000 });
            before = await ProgressAsync(page);
            Assert.InRange(before, 0, 99);
        });

        await session.StepAsync("Cancel stops it and the page shows it without a reload", async () =>
        {
            await page.Locator("#cancel-run").ClickAsync();
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("Cancelled", new() { Timeout = 60_000 });
            await Expect(page.Locator("#resume-run"), "a cancelled run offers Resume").ToBeVisibleAsync();
            await PortalPages.AssertNotReloadedAsync(page, mark);
        });

        await session.StepAsync("Resume queues it again and its bar goes on from the checkpoint, not from zero", async () =>
        {
            int atCancel = await ProgressAsync(page);
            await page.Locator("#resume-run").ClickAsync();
            await Expect(page.Locator("#run-state")).ToHaveTextAsync(new Regex("Queued|Running"), new() { Timeout = 60_000 });
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("Running", new() { Timeout = 120_000 });
            await Expect(page.Locator("#run-meta"), "the page should count the second start").ToContainTextAsync("2 starts", new() { Timeout = 60_000 });
            int resumed = await ProgressAsync(page);
            Assert.True(resumed > 0 && resumed >= atCancel - 10, $"after resume the bar shows {resumed} %; it showed {atCancel} % at the cancel");
            await PortalPages.AssertNotReloadedAsync(page, mark);
            await api.PostAsync($"/api/runs/{run.Id}/cancel", null);
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("Cancelled", new() { Timeout = 60_000 });
        });

        await session.StepAsync("compare the two runs from the runs list", async () =>
        {
            await PortalFactory.WaitForJobAsync(api, other.Id);
            await session.GoToAsync("runs");
            await page.Locator($"#runs input[name=id][value='{run.Id}']").CheckAsync();
            await page.Locator($"#runs input[name=id][value='{other.Id}']").CheckAsync();
            await page.Locator("#compare-runs").ClickAsync();
            // The list shows the newest first, so the ids come in that order.
            await Expect(page).ToHaveURLAsync(new Regex($"runs/compare\\?id={other.Id}&id={run.Id}"));
            await Expect(page.Locator("#compare-runs th a"), "both runs head the comparison").ToHaveCountAsync(2);
            await PortalPages.WaitForChartAsync(page, "compare-loss-chart");
            await Expect(page.Locator("#compare-loss-chart .scatterlayer .trace"), "one loss curve per run").ToHaveCountAsync(2);
        });
    }

    [Fact]
    public async Task Tag_a_model_on_its_page_and_the_api_reports_the_tags()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        using HttpClient api = browser.CreateAdminApiClient();
        var file = new ByteArrayContent(TinyOnnx.FaceModel);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        HttpResponseMessage uploaded = await api.PostAsync("/api/models/upload",
            new MultipartFormDataContent { { file, "file", "tiny.onnx" }, { new StringContent("browser tagged model"), "name" } });
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
        ModelView model = (await uploaded.Content.ReadFromJsonAsync<ModelView>(ApiJson.Options))!;

        await session.StepAsync("tag the model on its page", async () =>
        {
            await session.GoToAsync("");
            await PortalPages.SignInAsync(page);
            await session.GoToAsync($"models/{model.Id}");
            await page.Locator("#annotations-tags").FillAsync("baseline, onnx_upload");
            await page.Locator("#annotations-text").FillAsync("uploaded to check the browser flow");
            await page.Locator("#annotations-save").ClickAsync();
            await Expect(page.Locator("#annotations-error")).ToHaveCountAsync(0);
            await Expect(page.Locator("#annotations .tag"), "both tags are shown").ToHaveTextAsync(["baseline", "onnx_upload"]);
            await Expect(page.Locator("#annotations a.tag"), "a model's tags lead to no runs list").ToHaveCountAsync(0);
            await Expect(page.Locator("#annotations-notes")).ToHaveTextAsync("uploaded to check the browser flow");
        });

        await session.StepAsync("the API reports the tags", async () =>
        {
            ModelView tagged = (await api.GetFromJsonAsync<ModelView>($"/api/models/{model.Id}", ApiJson.Options))!;
            Assert.Equal(["baseline", "onnx_upload"], tagged.Tags);
        });
    }

    [Fact]
    public async Task On_a_phone_width_screen_every_navigation_link_is_on_screen()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        await page.SetViewportSizeAsync(420, 900);
        await session.GoToAsync("");
        var links = await page.Locator("nav.top a").AllAsync();
        Assert.True(links.Count >= 8, $"the navigation should have its links; found {links.Count}");
        foreach (ILocator link in links)
        {
            LocatorBoundingBoxResult? box = await link.BoundingBoxAsync();
            string text = await link.InnerTextAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 420, $"navigation link '{text}' is off screen at 420 px: {box?.X}..{box?.X + box?.Width}");
        }
    }

    private static async Task<JobView> StartAsync(HttpClient api, TrainingRequest request)
    {
        HttpResponseMessage started = await api.PostAsJsonAsync("/api/runs", request);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"POST /api/runs answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        return (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
    }

    private static async Task<int> ProgressAsync(IPage page) =>
        int.Parse(await page.Locator("#run-progress .progress[data-progress]").GetAttributeAsync("data-progress") ?? "0");
}
