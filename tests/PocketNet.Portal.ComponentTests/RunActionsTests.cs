using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Api;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.ComponentTests;

/// <summary>The run page's cancel, resume and delete buttons, acting over the circuit on a real portal's jobs.</summary>
public sealed class RunActionsTests : PortalComponentContext
{
    private async Task<JobRecord> RecordAsync(int id)
    {
        await using PortalDbContext db = await Portal.Store.CreateDbContextAsync();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    [Fact]
    public async Task The_admin_cancels_a_running_job_then_resumes_it()
    {
        SignInAsAdmin();
        JobView job = await StartAsync(TinyRuns.Steady("cancel me", epochs: 50));
        await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id, j => j.State == JobState.Running, "to run");

        var actions = Render<RunActions>(p => p.Add(a => a.Job, RecordAsync(job.Id).Result));
        Assert.Empty(actions.FindAll("#resume-run"));
        Assert.Empty(actions.FindAll("#delete-run")); // a running job cannot be deleted
        await actions.Find("#cancel-run").ClickAsync(new());
        Assert.Empty(actions.FindAll("#run-action-error"));
        JobView cancelled = await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id);
        Assert.Equal(JobState.Cancelled, cancelled.State);

        actions.Render(p => p.Add(a => a.Job, RecordAsync(job.Id).Result));
        Assert.Empty(actions.FindAll("#cancel-run"));
        await actions.Find("#resume-run").ClickAsync(new());
        await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id, j => j.Attempts >= 2 || j.State is JobState.Queued or JobState.Running, "to be queued again");
        await Portal.CreateAdminClient().PostAsync($"/api/runs/{job.Id}/cancel", null);
        await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id);
    }

    [Fact]
    public async Task A_visitor_gets_no_buttons()
    {
        JobView job = await StartAsync(TinyRuns.Steady("visitor", epochs: 1));
        var visitor = Render<RunActions>(p => p.Add(a => a.Job, RecordAsync(job.Id).Result));
        Assert.Empty(visitor.FindAll("button"));
        await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id);
    }

    [Fact]
    public async Task Deleting_a_finished_job_leaves_for_the_dashboard_and_a_second_click_says_it_is_gone()
    {
        SignInAsAdmin();
        JobView job = await StartAsync(TinyRuns.Steady("delete me", epochs: 1));
        await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id);
        JobRecord record = await RecordAsync(job.Id);
        var first = Render<RunActions>(p => p.Add(a => a.Job, record));
        var second = Render<RunActions>(p => p.Add(a => a.Job, record));

        await first.Find("#delete-run").ClickAsync(new());
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        Assert.Equal(navigation.BaseUri, navigation.Uri);
        await using (PortalDbContext db = await Portal.Store.CreateDbContextAsync())
            Assert.False(await db.Jobs.AnyAsync(j => j.Id == job.Id));

        await second.Find("#delete-run").ClickAsync(new());
        Assert.Equal($"Job {job.Id} no longer exists.", second.Find("#run-action-error").TextContent);
    }
}
