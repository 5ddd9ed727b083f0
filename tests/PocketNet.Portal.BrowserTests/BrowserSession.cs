using System.Text;
using System.Text.RegularExpressions;

namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// One test's browser page, run as numbered steps. After each step a full-page screenshot is saved; when a step
/// fails, a screenshot and the page's HTML are saved beside the others and the failure names the step, the page's
/// address, the expectation that failed, the browser's console errors and the saved files.
/// </summary>
public sealed partial class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _browserErrors = [];
    private int _step;

    public BrowserSession(IBrowserContext context, IPage page, Uri address, string folder, ITestOutputHelper output)
    {
        _context = context;
        _output = output;
        Page = page;
        Address = address;
        Folder = folder;
        page.Console += (_, message) =>
        {
            // Failed loads are recorded with their address by the Response handler; the console's copy has none.
            if (message.Type is "error" or "warning" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                Record($"console {message.Type}: {message.Text}");
        };
        page.PageError += (_, error) => Record($"page error: {error}");
        page.RequestFailed += (_, request) => Record($"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) Record($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
        };
        output.WriteLine($"portal: {address}; screenshots: {folder}");
    }

    public IPage Page { get; }

    /// <summary>The portal's address (the page's base URL).</summary>
    public Uri Address { get; }

    /// <summary>This test's artifact folder (screenshots, page copies, downloads).</summary>
    public string Folder { get; }

    /// <summary>Opens a page of the portal (a path relative to its address) and fails unless it answers 200.</summary>
    public async Task GoToAsync(string path)
    {
        IResponse? response = await Page.GotoAsync(path);
        Assert.True(response is { Status: 200 }, $"GET /{path} answered {response?.Status.ToString() ?? "nothing"}; the page should exist");
    }

    /// <summary>Runs one step of what the researcher does and sees; screenshots it, or records why it failed.</summary>
    public async Task StepAsync(string name, Func<Task> body)
    {
        int number = ++_step;
        string stem = Path.Combine(Folder, $"{number:00}-{Slug(name)}");
        try
        {
            await body();
        }
        catch (Exception e) when (e is not BrowserStepFailure)
        {
            throw await FailureAsync(number, name, stem, e);
        }
        string screenshot = stem + ".png";
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        _output.WriteLine($"step {number} ({name}): {screenshot}");
    }

    private async Task<BrowserStepFailure> FailureAsync(int number, string name, string stem, Exception failure)
    {
        string screenshot = stem + "-FAILED.png", html = stem + "-FAILED.html";
        var saved = new List<string>();
        try
        {
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            saved.Add($"screenshot: {screenshot}");
            await File.WriteAllTextAsync(html, await Page.ContentAsync());
            saved.Add($"page HTML: {html}");
        }
        catch (PlaywrightException e)
        {
            saved.Add($"(the page could not be saved: {e.Message})");
        }
        var message = new StringBuilder()
            .AppendLine($"step {number} \"{name}\" failed on {Page.Url}")
            .AppendLine(failure.Message.Trim());
        foreach (string line in saved) message.AppendLine(line);
        lock (_browserErrors)
        {
            if (_browserErrors.Count > 0) message.AppendLine("the browser reported:").AppendJoin(Environment.NewLine, _browserErrors.TakeLast(15)).AppendLine();
        }
        _output.WriteLine(message.ToString());
        return new BrowserStepFailure(message.ToString(), failure);
    }

    private void Record(string line)
    {
        lock (_browserErrors) _browserErrors.Add(line);
    }

    /// <summary>Keeps a file the test produced (a download) next to the screenshots and says where it is.</summary>
    public string KeepFile(string fileName)
    {
        string path = Path.Combine(Folder, fileName);
        _output.WriteLine($"kept: {path}");
        return path;
    }

    private static string Slug(string name) => SlugPattern().Replace(name.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugPattern();

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

/// <summary>A step of a browser test failed; the message says which, where, what was expected, and what was saved.</summary>
public sealed class BrowserStepFailure(string message, Exception cause) : Exception(message, cause);
