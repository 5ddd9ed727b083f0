namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// wwwroot/js/portal.js re-fetches a page with this header when it only wants its data-live sections; pages may
/// skip work that only the rest of the page needs.
/// </summary>
public static class LiveRefresh
{
    public const string Header = "X-Live-Refresh";

    public static bool IsLiveRefresh(HttpContext context) => context.Request.Headers.ContainsKey(Header);
}
