using System.Security.Claims;

namespace PocketNet.Portal.Auth;

/// <summary>
/// The check every state-changing page form makes before acting. A page's POST reaches its component whatever
/// the page shows, so hiding a form from visitors is not enough: the handler itself must ask.
/// </summary>
public static class AdminGuard
{
    public static bool IsAdmin(this ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && user.IsInRole(PortalAuthentication.AdminRole);
}
