using System.Net;
using PocketNet.Portal.Api;
using PocketNet.Portal.Live;
using PocketNet.Portal.Store;
using Xunit.Abstractions;

namespace PocketNet.Portal.Tests.MultiHost;

/// <summary>
/// A web host and worker hosts as real processes on one real PostgreSQL (see <see cref="MultiHostScenario"/>):
/// concurrent start-up, jobs spread over workers exactly once, a killed worker's job taken over from its checkpoint,
/// a late worker, a cancel across hosts. The figures (jobs lost, duplicated, steps redone) are written to the output.
/// </summary>
public sealed class MultiHostTests(MultiHostScenario run, ITestOutputHelper output) : IClassFixture<MultiHostScenario>
{
    [Fact]
    public void Three_processes_starting_together_on_an_empty_database_all_come_up()
    {
        Assert.True(run.AllStartedTogether, run.Logs);
        Assert.Contains("cpu", run.QueuesOffered);
    }

    [Fact]
    public void Twenty_queued_jobs_on_two_workers_each_run_exactly_once()
    {
        Assert.Equal(MultiHostScenario.Evaluations, run.EvaluationJobs.Count);
        int lost = run.EvaluationJobs.Count(j => j.State != JobState.Succeeded);
        int duplicated = run.EvaluationJobs.Count(j => j.Attempts != 1 || run.ResultRowsPerJob.GetValueOrDefault(j.Id) != 1);
        var perWorker = run.EvaluationJobs.GroupBy(j => j.Worker ?? "none").ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{run.EvaluationJobs.Count} jobs: {lost} lost, {duplicated} duplicated; per worker: {string.Join(", ", perWorker.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.True(lost == 0, string.Join("; ", run.EvaluationJobs.Where(j => j.State != JobState.Succeeded).Select(j => $"{j.Id} {j.State} {j.Error}")));
        Assert.Equal(0, duplicated);
        Assert.All(run.EvaluationJobs, j => Assert.Equal(1, run.ResultRowsPerJob[j.Id]));
        Assert.Equal([run.WorkerA.WorkerName, run.WorkerB.WorkerName], perWorker.Keys.Order());
    }

    [Fact]
    public void A_worker_killed_mid_training_is_replaced_by_the_other_which_resumes_from_the_checkpoint()
    {
        JobView done = run.TrainingDone;
        long redone = run.StepEventsOfTraining - run.TotalStepsOfTraining;
        output.WriteLine($"killed {run.KilledWorker} after checkpoint {run.CheckpointAtKill}; taken over by {done.Worker} after {run.TakeOverTime.TotalSeconds:F1} s; " +
                         $"{run.StepEventsOfTraining} step events for {run.TotalStepsOfTraining} steps: {redone} redone; models {run.ModelsOfTraining}, results {run.ResultsOfTraining}");
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}\n{run.Logs}");
        Assert.Equal(2, done.Attempts);
        Assert.Equal(run.SurvivingWorker, done.Worker);
        Assert.Equal(run.KilledWorker, run.TrainingBeforeKill.Worker);
        Assert.Equal(1, run.ModelsOfTraining);
        Assert.Equal(1, run.ResultsOfTraining);
        Assert.NotNull(done.ModelId);
        Assert.Contains(run.TrainingLog, l => l.Text.StartsWith("resumed from", StringComparison.Ordinal));
        // Resumed from the checkpoint, not from scratch: only steps of the epoch it was killed in were done twice.
        long stepsPerEpoch = run.TotalStepsOfTraining / MultiHostScenario.TrainingEpochs;
        Assert.InRange(redone, 0, stepsPerEpoch);
        Assert.Single(run.TrainingLog, l => l.Text.StartsWith($"epoch {MultiHostScenario.TrainingEpochs} done", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_pages_on_the_web_host_follow_the_progress_of_a_job_running_on_a_worker()
    {
        List<JobUpdate> running = run.PushedForTraining.Where(u => u.State == nameof(JobState.Running)).ToList();
        output.WriteLine($"{run.PushedForTraining.Count} updates pushed, {running.Count} while running");
        Assert.True(running.Count >= 3, $"only {running.Count} live updates while the job ran");
        Assert.Contains(running, u => u.Progress > 0 && u.Phase?.StartsWith("training: epoch", StringComparison.Ordinal) == true);
        Assert.True(running.Select(u => u.Progress).Distinct().Count() >= 2, "progress never moved in the pushed updates");
        Assert.Equal(nameof(JobState.Succeeded), run.PushedForTraining[^1].State);
    }

    [Fact]
    public void A_worker_started_later_picks_up_work_queued_before_it()
    {
        Assert.Equal(JobState.Queued, run.LateBeforeWorker.State);
        Assert.Equal(MultiHostScenario.LateQueue, run.LateBeforeWorker.Queue);
        Assert.True(run.LateDone.State == JobState.Succeeded, $"{run.LateDone.State}: {run.LateDone.Error}");
        Assert.Equal(run.WorkerC.WorkerName, run.LateDone.Worker);
    }

    [Fact]
    public void The_datasets_page_warns_about_a_live_worker_that_does_not_see_the_shared_home()
    {
        Assert.DoesNotContain("worker-home-warning", run.DatasetsPageBeforeC);
        string warning = System.Text.RegularExpressions.Regex.Match(run.DatasetsPageWithC, "id=\"worker-home-warning\"[^>]*>(.*?)</p>",
            System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains(run.WorkerC.WorkerName, warning);
        Assert.DoesNotContain(run.SurvivingWorker, warning);
    }

    [Fact]
    public void A_cancel_sent_to_the_web_host_stops_the_job_on_its_worker_within_seconds()
    {
        output.WriteLine($"cancel reached worker {run.CancelTarget.Worker} and the job stopped after {run.CancelTime.TotalSeconds:F1} s");
        Assert.NotNull(run.CancelTarget.Worker);
        Assert.NotNull(run.CancelTarget.HeartbeatAgeSeconds);
        Assert.NotEqual(run.Web.WorkerName, run.CancelTarget.Worker);
        Assert.Equal(JobState.Cancelled, run.Cancelled.State);
        Assert.InRange(run.CancelTime, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.True(run.Cancelled.Progress < 0.5, $"the job ran on to {run.Cancelled.Progress:P0} after the cancel");
    }

    [Fact]
    public void The_engine_dashboard_is_served_to_the_admin_by_the_web_host()
    {
        Assert.Equal(HttpStatusCode.OK, run.DashboardPageWhileRunning);
    }
}
