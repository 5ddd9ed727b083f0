using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>A job that fails ends as Failed with an error naming the problem; the queue goes on and earlier results stay.</summary>
[Collection(TrainedPortalCollection.Name)]
public sealed class FailingJobTests(TrainedPortal trained)
{
    [Fact]
    public async Task A_run_on_a_corrupt_training_set_fails_naming_the_file_and_the_next_job_still_succeeds()
    {
        ModelView before = await ModelAsync(trained.Model.Id);

        // Both queued at once: the evaluation waits for the device and must run after the failure.
        JobView broken = await Problems.ReadAsync<JobView>(
            await trained.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("on corrupt data", epochs: 1) with { TrainingSet = TrainedPortal.CorruptSet }),
            HttpStatusCode.Accepted);
        JobView evaluation = await Problems.ReadAsync<JobView>(
            await trained.Admin.PostAsJsonAsync("/api/evaluations", new { modelId = trained.Model.Id, benchmarks = new[] { "synth_cfp_fp" }, device = "cpu" }),
            HttpStatusCode.Accepted);

        JobView failed = await PortalFactory.WaitForJobAsync(trained.Admin, broken.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.NotNull(failed.Error);
        Assert.Contains("train.rec", failed.Error);
        Assert.Null(failed.ModelId);
        Assert.NotNull(failed.FinishedAt);
        Assert.Equal("failed", failed.Phase);

        JobView evaluated = await PortalFactory.WaitForJobAsync(trained.Admin, evaluation.Id);
        Assert.True(evaluated.State == JobState.Succeeded, $"{evaluated.State}: {evaluated.Error}");
        Assert.Equal(JobKind.Evaluation, evaluated.Kind);
        Assert.Equal(trained.Model.Id, evaluated.ModelId);

        ModelView after = await ModelAsync(trained.Model.Id);
        ResultView lfw = after.Results.Single(r => r.Benchmark == "synth_lfw");
        Assert.Equal(before.Results.Single(r => r.Benchmark == "synth_lfw"), lfw);
        ResultView cfp = after.Results.Single(r => r.Benchmark == "synth_cfp_fp");
        Assert.Equal("libtorch", cfp.Runtime);
        Assert.True(cfp.Synthetic);
        Assert.DoesNotContain((await ModelsAsync()), m => m.JobId == broken.Id);
    }

    [Fact]
    public async Task A_failed_job_can_be_resumed_and_fails_again_with_the_same_error()
    {
        JobView broken = await Problems.ReadAsync<JobView>(
            await trained.Admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("corrupt again", epochs: 1) with { TrainingSet = TrainedPortal.CorruptSet }),
            HttpStatusCode.Accepted);
        JobView failed = await PortalFactory.WaitForJobAsync(trained.Admin, broken.Id);
        Assert.Equal(JobState.Failed, failed.State);
        // The job can be tried again: resuming a failed job queues it, and it fails the same way.
        Assert.Equal(HttpStatusCode.Accepted, (await trained.Admin.PostAsync($"/api/runs/{broken.Id}/resume", null)).StatusCode);
        JobView again = await PortalFactory.WaitForJobAsync(trained.Admin, broken.Id, j => j.Attempts == 2 && j.State.IsFinished(), "to fail a second time");
        Assert.Equal(JobState.Failed, again.State);
        Assert.Contains("train.rec", again.Error);
    }

    private async Task<ModelView> ModelAsync(int id) =>
        (await trained.Admin.GetFromJsonAsync<ModelView>($"/api/models/{id}", ApiJson.Options))!;

    private async Task<List<ModelView>> ModelsAsync() =>
        (await trained.Admin.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!;
}
