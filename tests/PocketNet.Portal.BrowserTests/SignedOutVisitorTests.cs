using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>A visitor who has not signed in: can read everything, can start nothing.</summary>
public sealed class SignedOutVisitorTests(PortalInBrowser browser, ITestOutputHelper output) : IClassFixture<PortalInBrowser>
{
    [Fact]
    public async Task A_signed_out_visitor_gets_no_run_form_and_sees_the_published_reference_row()
    {
        await using BrowserSession session = await browser.OpenSessionAsync(output);
        IPage page = session.Page;

        await session.StepAsync("the dashboard offers sign-in and no new-run form", async () =>
        {
            await session.GoToAsync("");
            await Expect(page.Locator("#sign-in"), "a signed-out visitor should be offered the sign-in link").ToBeVisibleAsync();
            await Expect(page.Locator("#new-run-form"), "only the admin may start runs: the form must not be rendered for a visitor").ToHaveCountAsync(0);
        });

        await session.StepAsync("the real leaderboard shows the paper's PocketNetS-128 as a reference row", async () =>
        {
            await session.GoToAsync("leaderboard");
            await page.Locator("#scope-real").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("scope=real"));
            ILocator reference = page.Locator("#leaderboard tr.reference[data-model]", new() { HasText = "PocketNetS-128 (published)" });
            await Expect(reference, "the published PocketNetS-128 numbers should be a reference row of the real leaderboard").ToBeVisibleAsync();
        });
    }
}
