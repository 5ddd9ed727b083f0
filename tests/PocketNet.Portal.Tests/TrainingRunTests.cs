using System.Net.Http.Json;
using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Progress;
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
    public void Each_check_reports_its_pairs_embedded_and_moves_the_bar()
    {
        List<TrainingEvent> events = RunEvents();
        List<EvaluationProgress> checks = events.OfType<EvaluationProgress>().ToList();
        Assert.All(checks, c => Assert.True(c.IsCheck, "a training run's own evaluation reuses its last check"));
        long total = events.OfType<StepProgress>().Last().TotalSteps;
        // One pass per epoch over synth_lfw's 40 pairs, from 0 to all of them.
        Assert.Equal([total / 2, total], checks.Where(c => c.Done == 0).Select(c => c.GlobalStep!.Value));
        Assert.All(checks.GroupBy(c => c.GlobalStep), pass =>
        {
            Assert.Equal(40, pass.Last().Done);
            Assert.All(pass, c => Assert.Equal(("synth_lfw", 40L, "pairs"), (c.Benchmark, c.Total, c.Unit)));
            Assert.True(pass.Count() > 2, "the pairs are reported as they are embedded, not only at the start and end");
        });
        // The run's fraction never stands still through a check and never goes back: steps, then the check's pairs.
        double[] fractions = events.OfType<ProgressEvent>().Select(p => p.Fraction).ToArray();
        Assert.Equal(fractions.Order(), fractions);
        Assert.All(checks.GroupBy(c => c.GlobalStep), pass => Assert.True(pass.Last().Fraction > pass.First().Fraction));
        Assert.Equal(1, fractions[^1], 12);
    }

    [Fact]
    public void Time_left_at_the_last_step_still_counts_the_last_check()
    {
        List<TrainingEvent> events = RunEvents();
        StepProgress last = events.OfType<StepProgress>().Last();
        Assert.Equal(last.TotalSteps, last.GlobalStep);
        // No step is left, the check after the last epoch is: its 80 images at the rate the first check measured.
        Assert.True(last.EstimatedRemaining > TimeSpan.Zero, $"{last.EstimatedRemaining}");
        Assert.True(last.Fraction < 1);
        EvaluationProgress firstCheck = events.OfType<EvaluationProgress>().First(c => c.Done == 40);
        Assert.True(firstCheck.ImagesPerSecond > 0);
    }

    [Fact]
    public void The_evaluation_after_training_takes_the_last_epochs_check_instead_of_embedding_synth_lfw_again()
    {
        List<TrainingEvent> events = RunEvents();
        VerificationCheck last = events.OfType<VerificationCheck>().Last();
        // Embedding passes over synth_lfw: one check per epoch, none for the evaluation.
        Assert.Equal(2, events.OfType<EvaluationProgress>().Count(p => p.Done == 0));
        Assert.DoesNotContain(events.OfType<RunMessage>(), m => m.Text.StartsWith("evaluating", StringComparison.Ordinal));
        Assert.Contains(events.OfType<RunMessage>(), m => m.Text.Contains(FinalCheck.Note, StringComparison.Ordinal));
        ResultView lfw = Assert.Single(trained.Model.Results);
        Assert.Equal(last.Accuracy, lfw.Value);
        Assert.Equal(last.Std, lfw.Std);
        Assert.Equal(FinalCheck.Note, lfw.Note);
        string scores = Path.Combine(trained.Portal.Paths.RunFolder(trained.Accepted.Id), "scores", "synth_lfw.csv");
        Assert.Equal(1 + 40, File.ReadAllLines(scores).Length); // its per-pair scores are kept as an evaluation's are
    }

    [Fact]
    public void The_finished_job_shows_its_time_and_its_last_progress()
    {
        JobView done = trained.Finished;
        Assert.True(done.RunSeconds > 0);
        Assert.True(done.RunSeconds <= (done.FinishedAt!.Value - done.StartedAt!.Value).TotalSeconds + 1);
        Assert.Null(done.RemainingSeconds);
        Assert.IsType<EvaluationProgress>(done.Latest); // the last check
    }

    private List<TrainingEvent> RunEvents() =>
        [.. EventLog.Read(Path.Combine(trained.Portal.Paths.RunFolder(trained.Accepted.Id), RunDirectory.EventsFile))];

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
