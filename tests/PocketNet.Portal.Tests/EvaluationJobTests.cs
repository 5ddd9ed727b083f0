using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using PocketNet.Portal.Components.Results;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tests;

/// <summary>POST /api/evaluations on a trained model: libtorch or ONNX Runtime (its exported graph), stored and ranked per runtime, side by side on the model page.</summary>
[Collection(TrainedPortalCollection.Name)]
public sealed class EvaluationJobTests(TrainedPortal trained)
{
    [Fact]
    public async Task Evaluating_on_onnx_runtime_gives_the_libtorch_accuracy_and_both_stand_side_by_side()
    {
        ResultView libtorch = trained.Model.Results.Single(r => r.Benchmark == "synth_lfw" && r.Runtime == "libtorch");
        JobView job = await Problems.ReadAsync<JobView>(
            await trained.Admin.PostAsJsonAsync("/api/evaluations", new { modelId = trained.Model.Id, benchmarks = new[] { "synth_lfw" }, runtime = "onnx", device = "cpu" }),
            HttpStatusCode.Accepted);
        Assert.Equal(JobKind.Evaluation, job.Kind);
        Assert.Equal(trained.Model.Id, job.ModelId);
        Assert.Contains("synth_lfw", job.Title);

        JobView done = await PortalFactory.WaitForJobAsync(trained.Admin, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        Assert.Equal(1, done.Progress);

        ModelView model = (await trained.Admin.GetFromJsonAsync<ModelView>($"/api/models/{trained.Model.Id}", ApiJson.Options))!;
        ResultView onnx = model.Results.Single(r => r.Benchmark == "synth_lfw" && r.Runtime == "onnx");
        // Same network, same pairs: the embeddings agree to ~1e-5, so at most one of the 40 pairs may flip.
        Assert.InRange(Math.Abs(onnx.Value - libtorch.Value), 0, 1.0 / 40 + 1e-9);
        Assert.True(onnx.CreatedAt >= libtorch.CreatedAt);

        // The leaderboard has a row per runtime, each with its own runtime's newest result.
        var table = (await trained.Admin.GetFromJsonAsync<PocketNet.Portal.Leaderboard.LeaderboardTable>("/api/leaderboard?scope=synthetic", ApiJson.Options))!;
        var rows = table.Rows.Where(r => r.ModelId == trained.Model.Id).ToList();
        Assert.Equal(["libtorch", "onnx"], rows.Select(r => r.Runtime));
        foreach (var row in rows)
        {
            ResultView newest = model.Results.Where(r => r.Benchmark == "synth_lfw" && r.Runtime == row.Runtime).MaxBy(r => (r.CreatedAt, r.Id))!;
            Assert.Equal(newest.Value, row.Cells["synth_lfw"].Value);
            Assert.Equal(row.Runtime, row.Cells["synth_lfw"].Runtime);
        }
        string csv = await trained.Admin.GetStringAsync("/api/leaderboard?scope=synthetic&format=csv");
        Assert.Equal(["libtorch", "onnx"], Csv.Parse(csv).Where(r => r[1] == trained.Model.Name).Select(r => r[3]));

        // The model page puts both numbers of each benchmark side by side, with ONNX Runtime's difference from libtorch.
        string page = await PageForms.GetPageAsync(trained.Admin, $"/models/{trained.Model.Id}");
        string results = Regex.Match(page, "<table class=\"grid by-runtime\" id=\"model-results\"[^>]*>.*?</table>", RegexOptions.Singleline).Value;
        Assert.Contains("ONNX Runtime − libtorch (points)", results);
        string lfw = WebUtility.HtmlDecode(Regex.Match(results, "<tr data-benchmark=\"synth_lfw\">.*?</tr>", RegexOptions.Singleline).Value);
        ResultView newestLibtorch = model.Results.Where(r => r.Benchmark == "synth_lfw" && r.Runtime == "libtorch").MaxBy(r => (r.CreatedAt, r.Id))!;
        ResultView newestOnnx = model.Results.Where(r => r.Benchmark == "synth_lfw" && r.Runtime == "onnx").MaxBy(r => (r.CreatedAt, r.Id))!;
        Assert.Contains(ResultFormat.Value(newestLibtorch.Value, newestLibtorch.Std), Cell(lfw, "libtorch"));
        Assert.Contains(ResultFormat.Value(newestOnnx.Value, newestOnnx.Std), Cell(lfw, "onnx"));
        Assert.Contains($">{ResultFormat.Change(newestOnnx.Value - newestLibtorch.Value)}</td>", lfw);
    }

    private static string Cell(string row, string runtime) =>
        Regex.Match(row, $"<td class=\"num\" data-runtime=\"{runtime}\">.*?</td>", RegexOptions.Singleline).Value;

    [Fact]
    public async Task An_evaluation_job_logs_each_benchmark_and_keeps_its_scores()
    {
        JobView job = await Problems.ReadAsync<JobView>(
            await trained.Admin.PostAsJsonAsync("/api/evaluations", new { modelId = trained.Model.Id, benchmarks = new[] { "synth_agedb_30", "synth_ijb" }, device = "cpu" }),
            HttpStatusCode.Accepted);
        JobView done = await PortalFactory.WaitForJobAsync(trained.Admin, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        LiveSnapshot events = (await trained.Admin.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{job.Id}/events", ApiJson.Options))!;
        Assert.Contains(events.Log, l => l.Text.Contains("(synthetic): accuracy", StringComparison.Ordinal));
        Assert.Contains(events.Log, l => l.Text.Contains("(synthetic): TAR", StringComparison.Ordinal));
        ModelView model = (await trained.Admin.GetFromJsonAsync<ModelView>($"/api/models/{trained.Model.Id}", ApiJson.Options))!;
        ResultView ijb = model.Results.Single(r => r.Benchmark == "synth_ijb");
        Assert.Equal("TAR at FAR 1e-4", ijb.Metric);
        Assert.InRange(ijb.Value, 0, 1);
        Assert.True(Directory.EnumerateFiles(Path.Combine(trained.Portal.Paths.RunFolder(job.Id), "scores"), "*", SearchOption.AllDirectories).Any(),
            "the evaluation's per-pair scores are kept in its run folder");

        // Its own figures: benchmarks of the job, pairs (or images) embedded of each, never a training step or loss.
        var progress = EventLog.Read(Path.Combine(trained.Portal.Paths.RunFolder(job.Id), RunDirectory.EventsFile)).OfType<ProgressEvent>().ToList();
        Assert.DoesNotContain(progress, p => p is StepProgress);
        var evaluation = progress.Cast<EvaluationProgress>().ToList();
        Assert.All(evaluation, e => Assert.Equal(2, e.Count));
        Assert.All(evaluation, e => Assert.False(e.IsCheck));
        Assert.Equal([("synth_agedb_30", 0, "pairs"), ("synth_ijb", 1, "images")],
            evaluation.Select(e => (e.Benchmark, e.Index, e.Unit)).Distinct());
        Assert.All(evaluation.GroupBy(e => e.Index), b => Assert.Equal((0, b.First().Total), (b.First().Done, b.Last().Done)));
        double[] fractions = evaluation.Select(e => e.Fraction).ToArray();
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1, fractions[^1], 12);
        Assert.Null(done.Loss);
        EvaluationProgress latest = Assert.IsType<EvaluationProgress>(done.Latest);
        Assert.Equal(("synth_ijb", 1, 2), (latest.Benchmark, latest.Index, latest.Count));
        Assert.Equal(latest.Total, latest.Done);
        // Its page shows those figures, not a training run's loss and steps.
        string page = await trained.Admin.GetStringAsync($"/runs/{job.Id}");
        Assert.Contains("id=\"run-benchmarks\">2 / 2<", page);
        Assert.Contains($"id=\"run-embedded\">{latest.Done:N0} / {latest.Total:N0}<", page);
        Assert.DoesNotContain("id=\"run-loss\"", page);
    }
}
