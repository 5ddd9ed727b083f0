using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PocketNet.Portal.Auth;

/// <summary>Authenticates a request that carries a valid X-Api-Key header as the admin (scripts, CI, the CLI).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminCredentials credentials) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
        if (!credentials.CheckApiKey(values.ToString())) return Task.FromResult(AuthenticateResult.Fail($"the {Header} header holds no valid key"));
        var ticket = new AuthenticationTicket(PortalAuthentication.AdminPrincipal(SchemeName), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }
}
