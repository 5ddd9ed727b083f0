namespace PocketNet.Portal.Auth;

/// <summary>
/// Refuses state-changing requests that a browser sent from another origin. The sign-in cookie goes with every
/// request the browser makes to this host, whichever page asked, and SameSite does not tell one port or a sibling
/// subdomain from this portal; so a write is accepted only when the browser says it came from the portal's own pages:
/// Sec-Fetch-Site same-origin (or none: typed by the user), else an Origin equal to the request's own. A request
/// with neither header came from no browser page (curl, scripts) and a request with X-Api-Key carries a secret no
/// other site can add: both pass, so scripts keep working. Reads (GET, HEAD, OPTIONS) are never refused here.
/// </summary>
public sealed class CrossOriginWrites(RequestDelegate next)
{
    private const string Refusal = "this request came from a page of another site; the portal accepts changes only from its own pages or with X-Api-Key";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (IsRead(context.Request.Method) || context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) || IsSameOrigin(context.Request))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "cross-origin request refused", Detail = Refusal },
            });
            return;
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("Refused: " + Refusal + ".");
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool IsSameOrigin(HttpRequest request)
    {
        string site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is "same-origin" or "none";
        string origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        return string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
    }
}
