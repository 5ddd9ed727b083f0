using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace PocketNet.Portal.Auth;

/// <summary>Sign-out (a form post from the layout). Sign-in is the /login page.</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/logout", LogoutAsync)
            // Checked below: a handler that binds no form field gets no automatic check, and a forged sign-out is
            // how an attacker swaps the admin's session for one of their own.
            .DisableAntiforgery()
            .ExcludeFromDescription();
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery, AdminSessions sessions)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
            return Results.Text("Sign-out refused: the form's security token is missing or stale. Reload the page and sign out again.",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        // Ending the stamp, not only deleting this browser's cookie, is what makes a copy of the cookie useless.
        if (context.User.IsAdmin()) sessions.EndAll();
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect("/");
    }
}
