using System.Net;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Tests;

/// <summary>Cancel, resume, failure and delete of real jobs on one device (see <see cref="JobControlScenario"/> for the steps).</summary>
public sealed class JobControlTests(JobControlScenario run) : IClassFixture<JobControlScenario>
{
    [Fact]
    public void A_second_job_waits_while_the_device_is_busy()
    {
        Assert.Equal(JobState.Queued, run.BWhileARuns.State);
        Assert.Null(run.BWhileARuns.StartedAt);
    }

    [Fact]
    public void Cancelling_a_queued_job_marks_it_cancelled_and_it_never_starts()
    {
        Assert.Equal(HttpStatusCode.Accepted, run.CancelQueued);
        Assert.Equal(JobState.Cancelled, run.BCancelled.State);
        Assert.Equal(0, run.BCancelled.Attempts);
        Assert.Null(run.BCancelled.StartedAt);
        Assert.NotNull(run.BCancelled.FinishedAt);
        Assert.False(Directory.Exists(run.Portal.Paths.RunFolder(run.B.Id)), "a job that never ran has no run folder");
    }

    [Fact]
    public void A_running_job_can_be_neither_resumed_nor_deleted()
    {
        Assert.Equal(HttpStatusCode.Conflict, run.ResumeRunning);
        Assert.Contains("running", run.ResumeRunningDetail);
        Assert.Equal(HttpStatusCode.Conflict, run.DeleteRunning);
    }

    [Fact]
    public void Cancelling_a_running_job_stops_it_after_its_checkpoint()
    {
        Assert.Equal(HttpStatusCode.Accepted, run.CancelRunning);
        Assert.Equal(JobState.Cancelled, run.ACancelled.State);
        Assert.Equal(1, run.ACancelled.Attempts);
        Assert.Null(run.ACancelled.Error);
        Assert.InRange(run.ACancelled.Progress, 0.01, 0.99);
        Assert.NotEmpty(run.CheckpointsWhenCancelled);
        Assert.True(run.CheckpointsWhenCancelled[^1] < JobControlScenario.Epochs, "the run stopped before its last epoch");
        Assert.Null(run.ACancelled.ModelId);
    }

    [Fact]
    public void A_job_whose_training_set_vanished_before_it_ran_fails_naming_the_set()
    {
        Assert.Equal(JobState.Failed, run.CFailed.State);
        Assert.Contains(JobControlScenario.DoomedSet, run.CFailed.Error);
        Assert.Contains("not present", run.CFailed.Error);
        Assert.Equal(1, run.CFailed.Attempts);
    }

    [Fact]
    public void Resume_continues_the_cancelled_job_from_its_newest_checkpoint_to_success()
    {
        Assert.Equal(HttpStatusCode.Accepted, run.Resume);
        Assert.True(run.AResumed.State == JobState.Succeeded, $"{run.AResumed.State}: {run.AResumed.Error}");
        Assert.Equal(2, run.AResumed.Attempts);
        Assert.Equal(1, run.AResumed.Progress);
        Assert.NotNull(run.AResumed.ModelId);

        int newest = run.CheckpointsWhenCancelled[^1];
        Assert.Contains(run.EventsAfterResume.Log, l => l.Text.Contains($"(after epoch {newest},", StringComparison.Ordinal) && l.Text.StartsWith("resumed from", StringComparison.Ordinal));
        // Epochs finished before the cancel are not trained again: each "epoch N done" appears once.
        for (int epoch = 1; epoch <= JobControlScenario.Epochs; epoch++)
            Assert.Single(run.EventsAfterResume.Log, l => l.Text.StartsWith($"epoch {epoch} done", StringComparison.Ordinal));
        long total = run.EventsAfterResume.LastStep!.TotalSteps;
        Assert.Equal(total, run.EventsAfterResume.LastStep.GlobalStep);
        Assert.Equal(JobControlScenario.Epochs, run.EventsAfterResume.LastStep.Epoch);
        Assert.Equal(total, run.EventsAfterResume.Loss[^1].Step);
        // The curve continues the one recorded before the cancel from the checkpoint on, one point per step.
        long checkpointStep = total / JobControlScenario.Epochs * newest;
        Assert.Equal(Enumerable.Range(1, (int)total).Select(s => (long)s), run.EventsAfterResume.Loss.Select(p => p.Step));
        Assert.Equal(run.EventsWhenCancelled.Loss.Where(p => p.Step <= checkpointStep), run.EventsAfterResume.Loss.Take((int)checkpointStep));
    }

    [Fact]
    public void The_resumed_bar_starts_at_the_checkpoint_and_the_times_count_every_attempt()
    {
        int newest = run.CheckpointsWhenCancelled[^1];
        // Before its first step the resumed run reports its checkpoint: newest of 6 epochs done (no checks in this run).
        StepProgress resumed = Assert.Single(run.ResumedAt);
        long total = run.EventsAfterResume.LastStep!.TotalSteps;
        Assert.Equal(total / JobControlScenario.Epochs * newest, resumed.GlobalStep);
        Assert.Equal((double)newest / JobControlScenario.Epochs, resumed.Fraction, 12);
        // The bar never showed less than the checkpoint while the resumed attempt ran, and never went back.
        Assert.All(run.ProgressAfterResume, p => Assert.True(p >= resumed.Fraction - 1e-9, $"{p} < {resumed.Fraction}"));
        Assert.Equal(run.ProgressAfterResume.Order(), run.ProgressAfterResume);
        // "started": the first attempt; "took": both attempts' time.
        Assert.Equal(run.ACancelled.StartedAt, run.AResumed.StartedAt);
        Assert.True(run.ACancelled.RunSeconds > 0);
        Assert.True(run.AResumed.RunSeconds > run.ACancelled.RunSeconds, $"{run.AResumed.RunSeconds} <= {run.ACancelled.RunSeconds}");
    }

    [Fact]
    public void A_succeeded_job_can_be_neither_resumed_nor_cancelled()
    {
        Assert.Equal(HttpStatusCode.Conflict, run.ResumeSucceeded);
        Assert.Equal(HttpStatusCode.Conflict, run.CancelSucceeded);
    }

    [Fact]
    public void Deleting_a_job_removes_its_run_folder_but_keeps_its_model()
    {
        Assert.True(run.RunFolderExistedBeforeDelete);
        Assert.Equal(HttpStatusCode.NoContent, run.Delete);
        Assert.False(run.RunFolderExistsAfterDelete);
        Assert.Equal(HttpStatusCode.NotFound, run.GetDeleted);
        Assert.Equal(HttpStatusCode.NotFound, run.DeleteAgain);
        Assert.Equal(HttpStatusCode.OK, run.ModelOfDeletedJob);
        Assert.True(run.ModelFolderExistsAfterDelete);
    }
}
