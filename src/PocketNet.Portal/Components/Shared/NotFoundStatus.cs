namespace PocketNet.Portal.Components.Shared;

/// <summary>
/// Lets a page answer 404 with its own message ("there is no job 7"). A Razor page that sets the status while it
/// renders gets its body dropped in .NET 10 (the framework expects a re-executed not-found page), so the status is
/// set as the response starts, once the page's body is on its way.
/// </summary>
public static class NotFoundStatus
{
    public static void MarkNotFound(this HttpContext? context)
    {
        if (context is not { Response.HasStarted: false } http) return;
        http.Response.OnStarting(() =>
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }
}
