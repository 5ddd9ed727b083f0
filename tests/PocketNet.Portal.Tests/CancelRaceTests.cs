using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// A cancel that lands while the runner is taking the job from the queue still cancels it: the runner is held at
/// its claim (see <see cref="JobClaimGate"/>) and the cancel is sent in that window.
/// </summary>
public sealed class CancelRaceTests
{
    [Fact]
    public async Task A_job_cancelled_just_before_the_runner_claims_it_stays_cancelled_and_never_runs()
    {
        var gate = new JobClaimGate(holdAfterClaim: false);
        using PortalFactory portal = Portal(gate);
        HttpClient admin = portal.CreateAdminClient();
        JobView job = await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("raced", epochs: 1)), HttpStatusCode.Accepted);
        await gate.Reached.Task.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{job.Id}/cancel", null)).StatusCode);
        gate.Release();
        await gate.Claimed.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await DrainAsync(admin);

        JobView after = (await admin.GetFromJsonAsync<JobView>($"/api/runs/{job.Id}", ApiJson.Options))!;
        Assert.Equal(JobState.Cancelled, after.State);
        Assert.Equal(0, after.Attempts);
        Assert.Null(after.ModelId);
        Assert.False(Directory.Exists(portal.Paths.RunFolder(job.Id)), "the cancelled job ran");
    }

    [Fact]
    public async Task A_job_cancelled_just_after_the_runner_claimed_it_stops_as_cancelled()
    {
        var gate = new JobClaimGate(holdAfterClaim: true);
        using PortalFactory portal = Portal(gate);
        HttpClient admin = portal.CreateAdminClient();
        JobView job = await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("raced", epochs: 1)), HttpStatusCode.Accepted);
        await gate.Reached.Task.WaitAsync(TimeSpan.FromMinutes(2));

        JobView claimed = (await admin.GetFromJsonAsync<JobView>($"/api/runs/{job.Id}", ApiJson.Options))!;
        Assert.Equal(JobState.Running, claimed.State);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{job.Id}/cancel", null)).StatusCode);
        gate.Release();

        JobView after = await PortalFactory.WaitForJobAsync(admin, job.Id);
        Assert.Equal(JobState.Cancelled, after.State);
        Assert.Null(after.ModelId);
    }

    private static PortalFactory Portal(JobClaimGate gate) => new()
    {
        ConfigureServices = services => services.ConfigureDbContext<PortalDbContext>(db => db.AddInterceptors(gate)),
    };

    // Another job queued after the raced one finishes only once the runner has dealt with everything before it.
    private static async Task DrainAsync(HttpClient admin)
    {
        JobView sentinel = await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("sentinel", epochs: 1)), HttpStatusCode.Accepted);
        JobView done = await PortalFactory.WaitForJobAsync(admin, sentinel.Id);
        Assert.Equal(JobState.Succeeded, done.State);
    }
}
