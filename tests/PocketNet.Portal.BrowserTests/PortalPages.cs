using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>What several tests do on the portal's pages: sign in, wait for live updates, watch a progress bar.</summary>
public static class PortalPages
{
    /// <summary>
    /// How long a tiny run may take, queueing included: seconds on an idle machine, minutes on a 2-core machine
    /// that runs the other test projects at the same time.
    /// </summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(8);

    /// <summary>Signs in as the admin through the login page, starting from the current page's "sign in" link.</summary>
    public static async Task SignInAsync(IPage page)
    {
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        await page.Locator("#user").FillAsync("admin");
        await page.Locator("#password").FillAsync(PortalFactory.AdminPassword);
        await page.Locator("#sign-in-submit").ClickAsync();
        await Expect(page.Locator("#login-error"), "the login page refused the admin password").ToHaveCountAsync(0);
        // Signed in, the layout offers "sign out" instead of the "sign in" link.
        await Expect(page.Locator("#sign-in"), "still signed out after signing in").ToHaveCountAsync(0);
        await Expect(page.Locator("nav .who")).ToHaveTextAsync("admin");
    }

    /// <summary>
    /// Waits until the page's live components run over their Blazor circuit (they mark their root data-live="connected"
    /// once subscribed to job updates), so no update is missed.
    /// </summary>
    public static async Task WaitForLiveUpdatesAsync(IPage page)
    {
        await Expect(page.Locator("[data-live]").First, "the page has no live component").ToBeAttachedAsync();
        await Expect(page.Locator("[data-live=prerendered]"), "the page's live components never connected over their Blazor circuit")
            .ToHaveCountAsync(0, new() { Timeout = 30_000 });
    }

    /// <summary>Waits until plotly has drawn the chart #<paramref name="id"/> (its SVG is in the page).</summary>
    public static async Task WaitForChartAsync(IPage page, string id) =>
        await Expect(page.Locator($"#{id} .main-svg").First, $"the chart #{id} was never drawn").ToBeAttachedAsync(new() { Timeout = 30_000 });

    /// <summary>Marks the page's window; <see cref="AssertNotReloadedAsync"/> then tells whether it is still the same document.</summary>
    public static async Task<string> MarkDocumentAsync(IPage page)
    {
        string mark = Guid.NewGuid().ToString("N");
        await page.EvaluateAsync("mark => { window.__pocketnetTestMark = mark; }", mark);
        return mark;
    }

    public static async Task AssertNotReloadedAsync(IPage page, string mark)
    {
        string? seen = await page.EvaluateAsync<string?>("() => window.__pocketnetTestMark ?? null");
        Assert.True(seen == mark, $"the page at {page.Url} was reloaded or navigated away: live updates must change it in place");
    }

    /// <summary>
    /// Watches a progress bar (<c>.progress[data-progress]</c>) in the open page until it shows 100 or the job's
    /// state becomes Failed or Cancelled, recording every value it shows (polled in the page every 50 ms; the page
    /// itself is never reloaded). <paramref name="stateScript"/> is a JS expression giving the job's state name.
    /// </summary>
    public static async Task<ProgressWatch> WatchProgressAsync(IPage page, string progressSelector, string stateScript)
    {
        string watcher = $$"""
            (selector) => {
              const seen = window.__pocketnetProgressSeen || (window.__pocketnetProgressSeen = []);
              const bar = document.querySelector(selector);
              const state = (() => { try { return String({{stateScript}} ?? ''); } catch (e) { return ''; } })().trim();
              if (bar !== null) {
                const value = Number(bar.getAttribute('data-progress'));
                if (seen.length === 0 || seen[seen.length - 1] !== value) seen.push(value);
                if (value >= 100) return JSON.stringify({ values: seen, state: state });
              }
              if (state === 'Failed' || state === 'Cancelled') return JSON.stringify({ values: seen, state: state });
              return false;
            }
            """;
        await page.EvaluateAsync("() => { window.__pocketnetProgressSeen = []; }");
        try
        {
            IJSHandle result = await page.WaitForFunctionAsync(watcher, progressSelector,
                new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = (float)RunTimeout.TotalMilliseconds });
            return Read<ProgressWatch>(await result.JsonValueAsync<string>());
        }
        catch (TimeoutException)
        {
            int[] seen = await page.EvaluateAsync<int[]>("() => window.__pocketnetProgressSeen || []");
            string state = await page.EvaluateAsync<string>($"() => String({stateScript} ?? '(no state shown)')");
            throw new TimeoutException($"{progressSelector} did not reach 100 within {RunTimeout.TotalMinutes} minutes; " +
                $"it showed [{string.Join(", ", seen)}], the job's state shows '{state.Trim()}'");
        }
    }

    /// <summary>The values a progress bar showed, in order (repeats collapsed), and the job's state when the watch ended.</summary>
    public sealed record ProgressWatch(int[] Values, string State)
    {
        public override string ToString() => $"[{string.Join(", ", Values)}] (state {State})";

        /// <summary>Fails unless the bar advanced: two or more different values below 100, never going back, then 100.</summary>
        public void AssertAdvancedTo100(string where, string job)
        {
            Assert.True(Values.Length > 0 && Values[^1] == 100, $"{where}: the progress bar never reached 100; it showed {this}; {job}");
            int[] below = Values.Where(v => v < 100).Distinct().ToArray();
            Assert.True(below.Length >= 2, $"{where}: the progress bar should show at least two different values below 100 before 100; it showed {this}");
            for (int i = 1; i < Values.Length; i++)
                Assert.True(Values[i] >= Values[i - 1], $"{where}: the progress bar went back from {Values[i - 1]} to {Values[i]}: {this}");
        }
    }

    /// <summary>Reads JSON the page produced with the API's conventions.</summary>
    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiJson.Options)!;
}
