using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using PocketNet.Portal.Api;

namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// What one test class shares: a portal served by Kestrel on a localhost port (its own temporary home and the tiny
/// SynthFaces data) and one headless chromium. Each test opens its own browser context (<see cref="OpenSessionAsync"/>), so
/// cookies never leak from one test into the next.
/// </summary>
public sealed class PortalInBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _browserProblem;

    public PortalFactory Portal { get; } = new();

    /// <summary>The portal's real address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Portal.UseRealServer();
        // With Kestrel, the first client starts the server and WebApplicationFactory then sets ClientOptions.BaseAddress
        // to the address Kestrel bound (http://127.0.0.1:PORT/, the port chosen by the system).
        Portal.CreateClient().Dispose();
        Address = Portal.ClientOptions.BaseAddress;
        Assert.True(Address is { IsLoopback: true, Port: > 0 }, $"the portal should listen on a localhost port; WebApplicationFactory reports {Address}");
        // The browser's problems are reported by each test (as a failure naming the fix), not by the fixture,
        // whose exceptions xunit reports far from the test that needed it.
        // Pages answer slowly while a run trains on the same cores: wait longer than Playwright's 5 s for expectations.
        Assertions.SetDefaultExpectTimeout(15_000);
        _browserProblem = Chromium.Missing();
        if (_browserProblem is not null) return;
        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await Chromium.LaunchAsync(_playwright);
        }
        catch (Exception e) when (e is PlaywrightException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            _browserProblem = $"the browser could not be started through Playwright ({e.GetType().Name}): {e.Message}";
        }
    }

    /// <summary>An admin HTTP client (X-Api-Key) on the real server, for arranging what a test needs through the API.</summary>
    public HttpClient CreateAdminApiClient() => Portal.CreateAdminClient();

    /// <summary>A job as the API reports it (state, phase, error), for failure messages.</summary>
    public async Task<string> DescribeJobAsync(int id)
    {
        using HttpClient api = CreateAdminApiClient();
        JobView? job = await api.GetFromJsonAsync<JobView>($"/api/runs/{id}", ApiJson.Options);
        return job is null ? $"job {id}: not found" : $"job {id}: {job.State}, phase '{job.Phase}', progress {job.Progress:P0}{(job.Error is null ? "" : $", error: {job.Error}")}";
    }

    /// <summary>
    /// A fresh browser context and page on the portal for the calling test, recording into
    /// TestResults/browser-screenshots/CLASS.TEST/.
    /// </summary>
    public async Task<BrowserSession> OpenSessionAsync(ITestOutputHelper output, [CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        string testName = $"{Path.GetFileNameWithoutExtension(file)}.{test}";
        if (_browserProblem is not null || _browser is null)
            throw new BrowserUnavailableException(_browserProblem ?? "the browser was not started");
        IBrowserContext context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        // Waiting for something that never comes should fail within the test's budget, with Playwright's message.
        context.SetDefaultTimeout(20_000);
        IPage page = await context.NewPageAsync();
        return new BrowserSession(context, page, Address, TestArtifacts.ForTest(testName), output);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        await Portal.DisposeAsync();
    }
}

/// <summary>Chromium is missing or Playwright could not start it: the tests fail, naming the problem and the fix.</summary>
public sealed class BrowserUnavailableException(string message) : Exception(message);
