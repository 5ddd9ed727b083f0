using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Api;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Store;
using PocketNet.Testing;

namespace PocketNet.Portal.Testing;

/// <summary>
/// The portal as tests host it: its own temporary home (store, runs, models), the tiny SynthFaces data, a known
/// admin password and API key. Pass <paramref name="home"/> to start a second portal on the same home (restart
/// tests); <see cref="UseRealServer"/> serves on a localhost port for a browser.
/// </summary>
public sealed class PortalFactory(string? home = null) : WebApplicationFactory<Program>
{
    public const string AdminPassword = "test-admin-secret-7c1e";
    public const string ApiKey = "test-api-key";

    /// <summary>How long a job may take before a wait gives up: generous, since the test machine may be busy.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(10);

    private readonly TempDirectory? _ownedHome = home is null ? new TempDirectory() : null;

    public string Home => home ?? _ownedHome!.Path;

    public string SynthRoot { get; } = TinySynthData.Root;

    /// <summary>More configuration ("Portal:JobsPerDevice", "Portal:TrainingSets:0:Name", ...); set before the first client.</summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>Changes to the portal's services (interceptors, fakes); set before the first client.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>The portal's store (starts the portal if it is not running yet).</summary>
    public IDbContextFactory<PortalDbContext> Store => Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    /// <summary>The portal's folders: Home/runs, Home/models, Home/uploads.</summary>
    public PortalPaths Paths => Services.GetRequiredService<PortalPaths>();

    /// <summary>Serve on http://127.0.0.1:PORT through Kestrel (browser tests); call before the first client.</summary>
    public void UseRealServer() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Portal:Home", Home);
        builder.UseSetting("Portal:SynthRoot", SynthRoot);
        builder.UseSetting("Portal:AdminPassword", AdminPassword);
        builder.UseSetting("Portal:ApiKeys:0", ApiKey);
        builder.UseSetting("Portal:MaxUploadMegabytes", "2");
        // Tests count their own jobs: the start-up evaluation of the random-weights floor only where a test asks for it.
        builder.UseSetting("Portal:RandomBaseline", "false");
        // Every test client has the same (no) address, so the per-address sign-in throttles would tie unrelated tests
        // together; the tests of the throttles set their own limits in Settings.
        builder.UseSetting("Portal:SignInAttemptsPerMinute", "100000");
        builder.UseSetting("Portal:ApiKeyFailuresAllowed", "100000");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (ConfigureServices is { } configure) builder.ConfigureServices(configure);
        builder.UseEnvironment("Production");
    }

    /// <summary>A client that sends the API key (an admin).</summary>
    public HttpClient CreateAdminClient()
    {
        HttpClient client = CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, ApiKey);
        return client;
    }

    /// <summary>Polls GET /api/runs/{id} until the job has finished (succeeded, failed or cancelled) or the time is up.</summary>
    public static Task<JobView> WaitForJobAsync(HttpClient client, int id, TimeSpan? timeout = null) =>
        WaitForJobAsync(client, id, job => job.State.IsFinished(), "to finish", timeout);

    /// <summary>Polls GET /api/runs/{id} until <paramref name="condition"/> holds; fails early when the job finished without it.</summary>
    public static async Task<JobView> WaitForJobAsync(HttpClient client, int id, Func<JobView, bool> condition, string description, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? JobTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            JobView job = (await client.GetFromJsonAsync<JobView>($"/api/runs/{id}", ApiJson.Options))!;
            if (condition(job)) return job;
            if (job.State.IsFinished()) throw new InvalidOperationException($"job {id} ended {job.State} ({job.Phase}; {job.Error}) before it came {description}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} still {job.State} ({job.Phase}) after {limit}, waiting for it {description}");
            await Task.Delay(100);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _ownedHome?.Dispose();
    }
}
