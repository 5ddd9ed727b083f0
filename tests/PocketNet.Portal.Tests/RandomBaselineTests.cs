using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Api;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>
/// The synthetic leaderboard's floor: at start-up the portal registers PocketNet-S-128 as initialised (seed 0) and
/// evaluates it on the synthetic LFW with an ordinary job, once.
/// </summary>
public sealed class RandomBaselineTests
{
    [Fact]
    public async Task The_random_weights_row_is_registered_once_and_evaluated_on_the_synthetic_lfw()
    {
        using var portal = new PortalFactory();
        portal.Settings["Portal:RandomBaseline"] = "true";
        HttpClient client = portal.CreateClient();
        JobView job = Assert.Single((await client.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!);
        Assert.Equal(JobKind.Evaluation, job.Kind);
        Assert.Equal(["synth_lfw"], job.Request.GetProperty("benchmarks").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal(JobState.Succeeded, (await PortalFactory.WaitForJobAsync(client, job.Id, TimeSpan.FromMinutes(4))).State);

        await portal.Services.GetRequiredService<RandomBaseline>().EnsureAsync(CancellationToken.None); // a restart adds nothing
        Assert.Single((await client.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!);

        var table = (await client.GetFromJsonAsync<LeaderboardTable>("/api/leaderboard?scope=synthetic", ApiJson.Options))!;
        LeaderboardRow floor = Assert.Single(table.Rows, r => r.Name == RandomBaseline.ModelName);
        Assert.Equal(ModelOrigin.Baseline, floor.Origin);
        Assert.Equal(RandomBaseline.DisplayName, floor.DisplayName);
        Assert.Equal(925_632, floor.Parameters); // PocketNet-S-128's exact count (FACTS.md)
        double lfw = floor.Cells["synth_lfw"].Value;
        Assert.InRange(lfw, 0.3, 0.9); // untrained: near chance, however the synthetic pairs happen to fall
    }
}
