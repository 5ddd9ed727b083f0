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

    public static ClaimsPrincipal AdminPrincipal(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, AdminCredentials.UserName), new Claim(ClaimTypes.Role, AdminRole)], scheme));

    public static IServiceCollection AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<AdminCredentials>();
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
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(AdminRole));
        services.AddCascadingAuthenticationState();
        return services;
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
