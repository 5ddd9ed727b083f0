using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
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
    public const string AdminPassword = "test-admin-password";
    public const string ApiKey = "test-api-key";

    private readonly TempDirectory? _ownedHome = home is null ? new TempDirectory() : null;

    public string Home => home ?? _ownedHome!.Path;

    public string SynthRoot { get; } = TinySynthData.Root;

    /// <summary>Serve on http://127.0.0.1:PORT through Kestrel (browser tests); call before the first client.</summary>
    public void UseRealServer() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Portal:Home", Home);
        builder.UseSetting("Portal:SynthRoot", SynthRoot);
        builder.UseSetting("Portal:AdminPassword", AdminPassword);
        builder.UseSetting("Portal:ApiKeys:0", ApiKey);
        builder.UseSetting("Portal:MaxUploadMegabytes", "2");
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
    public static async Task<JobView> WaitForJobAsync(HttpClient client, int id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            JobView job = (await client.GetFromJsonAsync<JobView>($"/api/runs/{id}", ApiJson.Options))!;
            if (job.State.IsFinished()) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} still {job.State} ({job.Phase}) after {timeout}");
            await Task.Delay(250);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _ownedHome?.Dispose();
    }
}
