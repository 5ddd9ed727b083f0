using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>A job interrupted by a portal stop, or left "running" by a crash, resumes from its newest checkpoint when a portal starts on the same home.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_job_running_when_the_portal_stops_resumes_from_its_checkpoint_after_a_restart_and_finishes()
    {
        using var home = new TempDirectory();
        int id;
        using (var first = new PortalFactory(home.Path))
        {
            HttpClient admin = first.CreateAdminClient();
            JobView job = await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("interrupted", epochs: 4)), HttpStatusCode.Accepted);
            id = job.Id;
            await PortalFactory.WaitForJobAsync(admin, id, _ => Checkpoints(home.Path, id) >= 1, "to write its first checkpoint");
        }

        // A stop puts the job back in the queue, marked to resume.
        using (var db = new PortalDbContext(TestStore.Open(Path.Combine(home.Path, "portal.db"))))
        {
            JobRecord stopped = await db.Jobs.SingleAsync(j => j.Id == id);
            Assert.Equal(JobState.Queued, stopped.State);
            Assert.True(stopped.Resume);
            Assert.Null(stopped.FinishedAt);
            Assert.Equal(1, stopped.Attempts);
            Assert.Contains("portal stop", stopped.Phase);
            // As a crash would have left it: still "running" in the store.
            stopped.State = JobState.Running;
            stopped.Resume = false;
            await db.SaveChangesAsync();
        }
        int checkpoint = Checkpoints(home.Path, id);
        Assert.InRange(checkpoint, 1, 3);

        using var second = new PortalFactory(home.Path);
        HttpClient client = second.CreateAdminClient();
        JobView done = await PortalFactory.WaitForJobAsync(client, id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");
        Assert.Equal(2, done.Attempts);
        Assert.NotNull(done.ModelId);
        LiveSnapshot events = (await client.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{id}/events", ApiJson.Options))!;
        Assert.Contains(events.Log, l => l.Text.StartsWith("resumed from", StringComparison.Ordinal) && l.Text.Contains($"(after epoch {checkpoint},", StringComparison.Ordinal));
        Assert.Equal(events.LastStep!.TotalSteps, events.LastStep.GlobalStep);
        Assert.Equal(Enumerable.Range(1, (int)events.LastStep.TotalSteps).Select(s => (long)s), events.Loss.Select(p => p.Step));
        Assert.Single(events.Log, l => l.Text.StartsWith("epoch 1 done", StringComparison.Ordinal));
        Assert.Single(events.Log, l => l.Text.StartsWith("epoch 4 done", StringComparison.Ordinal));
    }

    private static int Checkpoints(string home, int job) =>
        new PocketNet.Training.Runs.RunDirectory(Path.Combine(home, "runs", $"job-{job:D4}")).Checkpoints().LastOrDefault();
}
