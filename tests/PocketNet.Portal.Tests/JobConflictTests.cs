using System.Net;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// Commands that do not fit a job's state answer 409 naming the state. The jobs are written into the store in the
/// state under test (the runner only picks up queued jobs, so it leaves them alone); JobControlTests shows the same
/// answers for a job that really runs.
/// </summary>
[Collection(IdlePortalCollection.Name)]
public sealed class JobConflictTests(IdlePortal idle) : IAsyncLifetime
{
    private readonly Dictionary<JobState, int> _jobs = [];

    public async Task InitializeAsync()
    {
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        foreach (JobState state in new[] { JobState.Running, JobState.Succeeded, JobState.Cancelled, JobState.Failed })
        {
            var job = new JobRecord
            {
                Kind = JobKind.Training, State = state, Title = $"seeded {state}", RequestJson = "{}", Device = "cpu",
                CreatedAt = DateTime.UtcNow, Attempts = 1,
            };
            db.Jobs.Add(job);
            await db.SaveChangesAsync();
            _jobs[state] = job.Id;
        }
    }

    public async Task DisposeAsync()
    {
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        await db.Jobs.Where(j => _jobs.Values.Contains(j.Id)).ExecuteDeleteAsync();
    }

    [Theory]
    [InlineData(JobState.Running, "POST", "resume", "running")]
    [InlineData(JobState.Succeeded, "POST", "resume", "succeeded")]
    [InlineData(JobState.Running, "DELETE", "", "running")]
    [InlineData(JobState.Succeeded, "POST", "cancel", "succeeded")]
    [InlineData(JobState.Cancelled, "POST", "cancel", "cancelled")]
    [InlineData(JobState.Failed, "POST", "cancel", "failed")]
    public async Task Commands_that_do_not_fit_the_jobs_state_answer_409(JobState state, string method, string command, string mention)
    {
        int id = _jobs[state];
        string path = command.Length == 0 ? $"/api/runs/{id}" : $"/api/runs/{id}/{command}";
        HttpResponseMessage response = await idle.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await Problems.AssertAsync(response, HttpStatusCode.Conflict, $"job {id}", mention);
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        Assert.Equal(state, (await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id)).State);
    }
}
