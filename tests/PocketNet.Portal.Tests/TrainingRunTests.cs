using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>A tiny run through the API: queued, trained, registered, evaluated, ranked.</summary>
public sealed class TrainingRunTests
{
    [Fact]
    public async Task A_tiny_run_trains_registers_and_evaluates_its_model()
    {
        using var portal = new PortalFactory();
        HttpClient admin = portal.CreateAdminClient();

        HttpResponseMessage started = await admin.PostAsJsonAsync("/api/runs", TinyRuns.Training(benchmarks: ["synth_lfw"]));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JobView queued = (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;

        JobView done = await PortalFactory.WaitForJobAsync(admin, queued.Id);
        Assert.True(done.State == JobState.Succeeded, $"job ended {done.State}: {done.Error}");
        Assert.Equal(1, done.Progress);
        Assert.NotNull(done.ModelId);

        ModelView model = (await admin.GetFromJsonAsync<ModelView>($"/api/models/{done.ModelId}", ApiJson.Options))!;
        ResultView lfw = Assert.Single(model.Results);
        Assert.Equal("synth_lfw", lfw.Benchmark);
        Assert.True(lfw.Synthetic);
        Assert.InRange(lfw.Value, 0, 1);
        Assert.True(model.SyntheticTraining);
    }
}
