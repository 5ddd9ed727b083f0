using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PocketNet.Portal.Auth;

/// <summary>
/// Authenticates a request that carries a valid X-Api-Key header as the admin (scripts, CI, the CLI). Wrong keys are
/// counted per client address (<see cref="ApiKeyFailures"/>); a client with too many is answered 429 until its
/// lockout ends, whatever key it sends.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminCredentials credentials,
    ApiKeyFailures failures) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    private TimeSpan? _lockedOutFor;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
        string client = SignInThrottle.ClientOf(Context);
        if (failures.IsLockedOut(client, out TimeSpan retryAfter))
        {
            _lockedOutFor = retryAfter;
            return Task.FromResult(AuthenticateResult.Fail("too many wrong API keys from this address"));
        }
        if (!credentials.CheckApiKey(values.ToString()))
        {
            failures.RecordFailure(client);
            return Task.FromResult(AuthenticateResult.Fail($"the {Header} header holds no valid key"));
        }
        var ticket = new AuthenticationTicket(PortalAuthentication.AdminPrincipal(SchemeName), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_lockedOutFor is not { } wait) return base.HandleChallengeAsync(properties);
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }
}
