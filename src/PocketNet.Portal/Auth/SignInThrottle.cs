using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PocketNet.Portal.Auth;

/// <summary>
/// Guessing the admin's secrets, slowed down with ASP.NET Core's rate limiting. Sign-in posts to /login are limited
/// per client address by the rate-limiter middleware (the login page carries <see cref="Policy"/>); a client whose
/// X-Api-Key headers keep failing is locked out for a while, the right key included (<see cref="ApiKeyFailures"/>).
/// Both answer 429 with Retry-After; Portal:SignInAttemptsPerMinute and Portal:ApiKeyFailuresAllowed set how soon.
/// </summary>
public static class SignInThrottle
{
    public const string Policy = "sign-in";

    public static IServiceCollection AddSignInThrottle(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyFailures>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Only posts count: showing the login page is free.
            limiter.AddPolicy(Policy, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(ClientOf(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value.SignInAttemptsPerMinute,
                    Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = async (rejected, cancellation) =>
            {
                HttpResponse response = rejected.HttpContext.Response;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retry))
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("Too many sign-in attempts from this address: wait a minute and try again.", cancellation);
            };
        });
        return services;
    }

    /// <summary>Who is throttled: the client's address (all clients without one share a partition).</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>
/// Failed API keys per client address, as a token bucket from System.Threading.RateLimiting: each failure takes a
/// token; with none left the client is locked out until the bucket refills (one token every few seconds), so a
/// burst of guesses stops after Portal:ApiKeyFailuresAllowed and goes on at a crawl at best.
/// </summary>
public sealed class ApiKeyFailures(IOptions<PortalOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.ApiKeyFailuresAllowed, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(options.Value.ApiKeyRefillSeconds), QueueLimit = 0, AutoReplenishment = true,
        }));

    /// <summary>True when <paramref name="client"/> has used up its failures; <paramref name="retryAfter"/> says for how long.</summary>
    public bool IsLockedOut(string client, out TimeSpan retryAfter)
    {
        // Whole tokens only. Asking for zero tokens succeeds while any fraction of one is left, and between two
        // requests the bucket has always refilled a fraction: an eleventh key sent a moment after the tenth wrong one
        // got through (a test caught it on a loaded machine).
        long available = _limiter.GetStatistics(client)?.CurrentAvailablePermits ?? options.Value.ApiKeyFailuresAllowed;
        retryAfter = TimeSpan.FromSeconds(options.Value.ApiKeyRefillSeconds);
        return available < 1;
    }

    public void RecordFailure(string client)
    {
        using RateLimitLease _ = _limiter.AttemptAcquire(client, 1);
    }

    public void Dispose() => _limiter.Dispose();
}
