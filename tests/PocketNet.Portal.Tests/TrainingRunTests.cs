using System.Net.Http.Json;
using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tests;

/// <summary>A tiny run through the API: queued, run, succeeded; its model registered, evaluated; its curves recorded.</summary>
[Collection(TrainedPortalCollection.Name)]
public sealed class TrainingRunTests(TrainedPortal trained)
{
    [Fact]
    public void The_job_is_queued_then_runs_then_succeeds()
    {
        Assert.Equal(JobState.Queued, trained.Accepted.State);
        Assert.Equal(JobKind.Training, trained.Accepted.Kind);
        Assert.Equal(0, trained.Accepted.Attempts);
        // Polled every 50 ms: the job may already be running at the first look, but never skips Running or goes back.
        List<JobState> seen = trained.StatesSeen;
        Assert.Equal(JobState.Succeeded, seen[^1]);
        Assert.Contains(JobState.Running, seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(seen.SequenceEqual([JobState.Queued, JobState.Running, JobState.Succeeded]) || seen.SequenceEqual([JobState.Running, JobState.Succeeded]),
            string.Join(" -> ", seen));
    }

    [Fact]
    public void The_finished_job_records_when_it_ran_and_how_often()
    {
        JobView done = trained.Finished;
        Assert.Equal(1, done.Attempts);
        Assert.Null(done.Error);
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.FinishedAt);
        Assert.True(done.CreatedAt <= done.StartedAt && done.StartedAt <= done.FinishedAt);
        Assert.Equal("cpu", done.Device);
        Assert.Equal("tiny", done.Title);
    }

    [Fact]
    public void Progress_never_goes_back_and_reaches_one()
    {
        Assert.Equal(1, trained.Finished.Progress);
        Assert.Equal(trained.ProgressSeen.Order(), trained.ProgressSeen);
        Assert.All(trained.ProgressSeen, p => Assert.InRange(p, 0, 1));
    }

    [Fact]
    public void The_request_is_kept_as_it_was_posted()
    {
        JsonElement request = trained.Finished.Request;
        Assert.Equal(TinyRuns.Genotype, request.GetProperty("genotype").GetString());
        Assert.Equal(2, request.GetProperty("epochs").GetInt32());
        Assert.Equal("SynthFaces", request.GetProperty("trainingSet").GetString());
        Assert.Equal("synth_lfw", request.GetProperty("benchmarks")[0].GetString());
    }

    [Fact]
    public void The_trained_model_is_registered_with_the_size_of_its_network()
    {
        ModelView model = trained.Model;
        Assert.Equal(trained.Finished.ModelId, model.Id);
        Assert.Equal(trained.Accepted.Id, model.JobId);
        Assert.Equal(ModelOrigin.Trained, model.Origin);
        Assert.Equal("tiny", model.DisplayName);
        Assert.Equal("ArcFace", model.TrainingMode);
        Assert.Equal("SynthFaces", model.TrainingData);
        Assert.True(model.SyntheticTraining);
        Assert.True(model.Downloadable);
        Assert.Equal(32, model.EmbeddingSize);
        Assert.Equal(TinyRuns.Genotype, model.Genotype);
        ModelSummary expected = ModelCatalog.Summarise("tiny", "", TinyOnnx.FaceModelConfig);
        Assert.Equal(expected.Parameters, model.Parameters);
        Assert.Equal(expected.MegaFlops, model.MegaFlops!.Value, 6);
        string folder = trained.Portal.Paths.ModelFolder(model.Name);
        foreach (string file in new[] { "weights.safetensors", "config.json", "model.onnx" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing from {folder}");
    }

    [Fact]
    public void The_model_is_evaluated_on_the_requested_benchmark()
    {
        ResultView lfw = Assert.Single(trained.Model.Results);
        Assert.Equal("synth_lfw", lfw.Benchmark);
        Assert.True(lfw.Synthetic);
        Assert.Equal("libtorch", lfw.Runtime);
        Assert.Equal(trained.Model.Id, lfw.ModelId);
        Assert.InRange(lfw.Value, 0, 1);
        Assert.NotNull(lfw.Std);
        Assert.True(lfw.Seconds > 0);
    }

    [Fact]
    public async Task The_events_hold_a_loss_point_per_step_and_an_accuracy_point_per_epoch()
    {
        LiveSnapshot events = await trained.EventsAsync();
        Assert.Equal(trained.Accepted.Id, events.JobId);
        Assert.NotNull(events.LastStep);
        long total = events.LastStep.TotalSteps;
        Assert.True(total >= 2, $"{total} steps");
        Assert.Equal(total, events.LastStep.GlobalStep);
        Assert.Equal(2, events.LastStep.Epoch);
        Assert.Equal(Enumerable.Range(1, (int)total).Select(s => (long)s), events.Loss.Select(p => p.Step));
        Assert.All(events.Loss, p => Assert.True(double.IsFinite(p.Loss) && p.Loss > 0, $"loss {p.Loss} at step {p.Step}"));
        Assert.Equal(2, events.Accuracy.Count);
        Assert.All(events.Accuracy, a => Assert.Equal("synth_lfw", a.Benchmark));
        Assert.Equal([total / 2, total], events.Accuracy.Select(a => a.Step));
        Assert.Contains(events.Log, l => l.Text.StartsWith("epoch 2 done", StringComparison.Ordinal));
        Assert.Contains(events.Log, l => l.Text.Contains("(synthetic)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_run_folder_holds_the_options_events_and_a_checkpoint_per_epoch()
    {
        string folder = trained.Portal.Paths.RunFolder(trained.Accepted.Id);
        Assert.True(File.Exists(Path.Combine(folder, RunDirectory.OptionsFile)));
        Assert.True(File.Exists(Path.Combine(folder, RunDirectory.EventsFile)));
        Assert.Equal([1, 2], new RunDirectory(folder).Checkpoints());
    }

    [Fact]
    public async Task The_job_list_shows_the_job()
    {
        var jobs = (await trained.Admin.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!;
        Assert.Contains(jobs, j => j.Id == trained.Accepted.Id && j.State == JobState.Succeeded);
        Assert.Equal(jobs.Select(j => j.Id).OrderDescending(), jobs.Select(j => j.Id));
    }
}
