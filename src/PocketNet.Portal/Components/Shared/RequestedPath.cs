using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Diagnostics;

namespace PocketNet.Portal.Components.Shared;

/// <summary>
/// The address the browser asked for, relative to the portal's base and with its query. An address no page serves
/// is answered by re-executing the request as /not-found, where the navigation manager sees "not-found": the
/// re-execution keeps the original, and that is the one to name (and to link back to).
/// </summary>
public static class RequestedPath
{
    public static string Of(HttpContext? http, NavigationManager navigation) =>
        http?.Features.Get<IStatusCodeReExecuteFeature>() is { } reExecuted
            ? reExecuted.OriginalPath.TrimStart('/') + reExecuted.OriginalQueryString
            : navigation.ToBaseRelativePath(navigation.Uri).Split('#')[0];
}
