namespace PocketNet.Portal.BrowserTests;

/// <summary>
/// Debian's chromium, the only browser these tests use: Playwright is pointed at it and never downloads its own.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public const string SetupCommand = "POCKETNET_SETUP_BROWSER=1 ./scripts/setup.sh";

    /// <summary>
    /// Headless, no sandbox (tests run as root in containers), and nothing that phones home: on a closed network
    /// chromium's background requests (component updates, sync, QUIC probes) end in refused connections that
    /// break its start-up.
    /// </summary>
    public static BrowserTypeLaunchOptions LaunchOptions => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args =
        [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    };

    /// <summary>Why the browser tests cannot run, or null when chromium is installed.</summary>
    public static string? Missing() => File.Exists(ExecutablePath)
        ? null
        : $"the browser tests need Debian's chromium at {ExecutablePath}, which is not installed; run `{SetupCommand}` " +
          "(./test.sh does) to install it. Playwright is never allowed to download a browser of its own.";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (Missing() is { } why) throw new InvalidOperationException(why);
        try
        {
            return await playwright.Chromium.LaunchAsync(LaunchOptions);
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"Playwright could not start {ExecutablePath}: {e.Message}", e);
        }
    }
}
