using System.Net;
using System.Net.Http.Json;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using static Microsoft.Playwright.Assertions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// axe-core (the engine browsers' accessibility audits use) on every page of the portal, as a visitor and as the
/// admin (who also gets the forms), and on a narrow screen: no violation of any rule it runs by default (WCAG 2.x A and AA and its best
/// practices: contrast, names of controls and progress bars, landmarks, keyboard access to scrolling boxes, ...).
/// The pages hold real content: two tiny runs, the first's model evaluated by libtorch and by ONNX Runtime.
/// </summary>
public sealed class AccessibilityTests(PortalInBrowser browser, ITestOutputHelper output) : IClassFixture<PortalInBrowser>
{
    [Fact]
    public async Task Every_page_passes_axe_for_a_visitor_and_for_the_admin()
    {
        var violations = new StringBuilder();
        await using (BrowserSession firstVisit = await browser.OpenSessionAsync(output))
        {
            await firstVisit.StepAsync("the first visit: the dashboard's welcome and the admin's one-click start", async () =>
            {
                await firstVisit.GoToAsync("");
                await AuditAsync(firstVisit.Page, "visitor / (first visit)", violations);
                await PortalPages.SignInAsync(firstVisit.Page);
                await AuditAsync(firstVisit.Page, "admin / (first visit)", violations);
            });
        }
        var (first, second, model) = await ArrangeAsync();
        string[] pages =
        [
            "", "runs", $"runs/{first}", $"runs/compare?id={first}&id={second}", "models", $"models/{model}",
            "leaderboard", "leaderboard?scope=synthetic", "chart", "datasets", "api-docs",
        ];
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;

        await session.StepAsync("a visitor's pages, the login page and the 404 page", async () =>
        {
            foreach (string path in pages.Append("login"))
            {
                await session.GoToAsync(path);
                await AuditAsync(page, $"visitor /{path}", violations);
            }
            IResponse? missing = await page.GotoAsync("no/such/page");
            Assert.Equal((int)HttpStatusCode.NotFound, missing?.Status);
            await AuditAsync(page, "/no/such/page (404)", violations);
        });

        await session.StepAsync("a visitor's pages on a narrow screen, where wide tables scroll in their box", async () =>
        {
            await page.SetViewportSizeAsync(420, 900);
            foreach (string path in pages)
            {
                await session.GoToAsync(path);
                await AuditAsync(page, $"visitor at 420 px /{path}", violations);
            }
            await page.SetViewportSizeAsync(1366, 900);
        });

        await session.StepAsync("the admin's pages, forms included", async () =>
        {
            await session.GoToAsync("");
            await PortalPages.SignInAsync(page);
            foreach (string path in pages)
            {
                await session.GoToAsync(path);
                await AuditAsync(page, $"admin /{path}", violations);
            }
        });

        Assert.True(violations.Length == 0, "axe-core found violations:" + Environment.NewLine + violations);
    }

    [Fact]
    public async Task The_first_tab_offers_a_skip_link_to_the_content_of_the_same_page()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        await session.StepAsync("Tab, then Enter on the skip link of the leaderboard", async () =>
        {
            await session.GoToAsync("leaderboard?scope=synthetic");
            await page.Keyboard.PressAsync("Tab");
            ILocator skip = page.Locator("#skip-link");
            await Expect(skip, "the first Tab stop should be the skip link").ToBeFocusedAsync();
            await Expect(skip, "a focused skip link is shown").ToBeInViewportAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.Locator("main#main"), "the skip link should move the focus to the page's content").ToBeFocusedAsync();
            Assert.EndsWith("/leaderboard?scope=synthetic#main", page.Url);
        });
    }

    [Fact]
    public async Task The_run_form_shows_the_genotype_fields_only_when_a_genotype_is_chosen()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;
        string[] genotypeFields = ["#run-genotype", "#run-channels", "#run-cells"];
        await session.StepAsync("a registry network: no genotype fields", async () =>
        {
            await session.GoToAsync("");
            await PortalPages.SignInAsync(page);
            await page.Locator("#run-model").SelectOptionAsync(new SelectOptionValue { Value = "pocketnet-s-128" });
            foreach (string field in genotypeFields)
                await Expect(page.Locator(field), $"{field} belongs to a genotype network only").ToBeHiddenAsync();
        });
        await session.StepAsync("the genotype choice: its fields appear", async () =>
        {
            await page.Locator("#run-model").SelectOptionAsync(new SelectOptionValue { Value = "" });
            foreach (string field in genotypeFields)
                await Expect(page.Locator(field), $"{field} is asked for when the network is a genotype").ToBeVisibleAsync();
        });
    }

    private static async Task AuditAsync(IPage page, string where, StringBuilder violations)
    {
        // Pages that draw charts do so after load; audit what the reader sees then.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        AxeResult result = await page.RunAxe();
        foreach (AxeResultItem violation in result.Violations)
        {
            violations.AppendLine($"{where}: {violation.Id} ({violation.Impact}): {violation.Help}");
            foreach (AxeResultNode node in violation.Nodes.Take(5))
            {
                IEnumerable<string> checks = new[] { node.Any, node.All, node.None }.SelectMany(c => c ?? []).Select(c => c.Message);
                violations.AppendLine($"    {node.Target}: {node.Html}{Environment.NewLine}      {string.Join("; ", checks)}");
            }
        }
    }

    // Two tiny runs (the first validated and evaluated, so its page has curves and its model results), and the first
    // run's model evaluated by ONNX Runtime too, so the model page shows the two runtimes side by side.
    private async Task<(int First, int Second, int Model)> ArrangeAsync()
    {
        using HttpClient api = browser.CreateAdminApiClient();
        JobView first = await StartAsync(api, TinyRuns.Training("axe-first", 1, "synth_lfw"));
        JobView second = await StartAsync(api, TinyRuns.Steady("axe-second", 1));
        first = await WaitAsync(api, first.Id);
        await WaitAsync(api, second.Id);
        HttpResponseMessage evaluation = await api.PostAsJsonAsync("/api/evaluations",
            new { modelId = first.ModelId, benchmarks = new[] { "synth_lfw" }, runtime = "onnx", device = "cpu" });
        Assert.Equal(HttpStatusCode.Accepted, evaluation.StatusCode);
        await WaitAsync(api, (await evaluation.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Id);
        return (first.Id, second.Id, first.ModelId!.Value);
    }

    private static async Task<JobView> StartAsync(HttpClient api, object request)
    {
        HttpResponseMessage started = await api.PostAsJsonAsync("/api/runs", request);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"POST /api/runs answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        return (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
    }

    private async Task<JobView> WaitAsync(HttpClient api, int id)
    {
        JobView job = await PortalFactory.WaitForJobAsync(api, id, PortalPages.RunTimeout);
        Assert.True(job.State == JobState.Succeeded, await browser.DescribeJobAsync(id));
        return job;
    }
}
