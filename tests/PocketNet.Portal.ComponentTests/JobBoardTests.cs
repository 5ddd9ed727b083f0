using PocketNet.Portal.Api;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.ComponentTests;

/// <summary>The dashboard's live job table: a job started after it rendered appears, moves and ends without a reload.</summary>
public sealed class JobBoardTests : PortalComponentContext
{
    [Fact]
    public async Task A_job_started_after_the_board_rendered_appears_and_ends_succeeded()
    {
        var board = Render<JobBoard>();
        Assert.Equal("connected", board.Find("#jobs-section").GetAttribute("data-live"));
        Assert.Contains("Nothing running or queued.", board.Find("tbody.jobs-active").TextContent);

        JobView job = await StartAsync(TinyRuns.Steady("board run", epochs: 2));
        board.WaitForAssertion(() => Assert.NotNull(board.Find($"tbody.jobs-active tr[data-job='{job.Id}']")), TimeSpan.FromMinutes(2));
        Assert.Contains("board run", board.Find($"tr[data-job='{job.Id}']").TextContent);

        await PortalFactory.WaitForJobAsync(Portal.CreateClient(), job.Id);
        board.WaitForAssertion(() =>
        {
            var row = board.Find($"tbody.jobs-finished tr[data-job='{job.Id}']");
            Assert.Equal(nameof(JobState.Succeeded), row.GetAttribute("data-state"));
        }, TimeSpan.FromSeconds(30));
        Assert.Contains("Nothing running or queued.", board.Find("tbody.jobs-active").TextContent);
    }
}
