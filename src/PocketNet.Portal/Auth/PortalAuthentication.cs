using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace PocketNet.Portal.Auth;

/// <summary>
/// Who may change things: the admin, signed in with the login page (cookie) or carrying an API key. Reading
/// (leaderboard, models, runs) needs neither. API calls without credentials get 401, never a login redirect.
/// </summary>
public static class PortalAuthentication
{
    public const string AdminPolicy = "Admin";
    public const string AdminRole = "admin";
    private const string Selector = "CookieOrApiKey";

    /// <summary>The admin; a cookie's principal also carries the session stamp it was signed in under (<see cref="AdminSessions"/>).</summary>
    public static ClaimsPrincipal AdminPrincipal(string scheme, string? sessionStamp = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, AdminCredentials.UserName), new(ClaimTypes.Role, AdminRole) };
        if (sessionStamp is not null) claims.Add(new Claim(AdminSessions.StampClaim, sessionStamp));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    public static IServiceCollection AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<AdminCredentials>();
        services.AddSingleton<AdminSessions>();
        services.AddSignInThrottle();
        services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "cookie or API key", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "pocketnet.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = EndedSessionsAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(AdminRole));
        services.AddCascadingAuthenticationState();
        return services;
    }

    // A cookie from before the last sign-out (or from before this scheme had stamps) no longer signs anyone in.
    private static async Task EndedSessionsAsync(CookieValidatePrincipalContext context)
    {
        string? stamp = context.Principal?.FindFirst(AdminSessions.StampClaim)?.Value;
        if (stamp is not null && stamp == context.HttpContext.RequestServices.GetRequiredService<AdminSessions>().Current) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    // Pages redirect to the login page; the API answers with a status code.
    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
