using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Tests;

/// <summary>
/// /api/runs/N/events answers as it always did (curves and log tail) plus 'next', a cursor; ?after=NEXT answers only
/// the events recorded since. Neither reads the whole events.jsonl again: a line damaged after it was served does not
/// change later answers.
/// </summary>
[Collection(IdlePortalCollection.Name)]
public sealed class RunEventsTests(IdlePortal idle)
{
    [Fact]
    public async Task Events_are_served_incrementally_from_a_cursor()
    {
        (int id, string events) = await SeedFinishedRunAsync(lines: 5);
        RunEventsView all = await GetAsync($"/api/runs/{id}/events");
        Assert.Equal(Enumerable.Range(1, 5).Select(Text), all.Log.Select(l => l.Text));
        Assert.Equal(new FileInfo(events).Length, all.Next);
        // The old shape still reads.
        LiveSnapshot old = (await idle.Anonymous.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{id}/events", ApiJson.Options))!;
        Assert.Equal(5, old.Log.Count);

        RunEventsView nothingNew = await GetAsync($"/api/runs/{id}/events?after={all.Next}");
        Assert.Empty(nothingNew.Log);
        Assert.Equal(all.Next, nothingNew.Next);

        // Damage line 4 in place (same length, past the file's first bytes), then record a sixth event.
        byte[] bytes = await File.ReadAllBytesAsync(events);
        int start = IndexOfLine(bytes, 3), end = Array.IndexOf(bytes, (byte)'\n', start);
        for (int i = start; i < end; i++) bytes[i] = (byte)'x';
        await File.WriteAllBytesAsync(events, bytes);
        await File.AppendAllTextAsync(events, Line(6));

        RunEventsView since = await GetAsync($"/api/runs/{id}/events?after={all.Next}");
        Assert.Equal([Text(6)], since.Log.Select(l => l.Text));
        Assert.Equal(new FileInfo(events).Length, since.Next);
        // The whole view was brought up to date from where it had read: line 4 as it was served, then line 6.
        RunEventsView again = await GetAsync($"/api/runs/{id}/events");
        Assert.Equal(Enumerable.Range(1, 6).Select(Text), again.Log.Select(l => l.Text));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(1_000_000)]
    public async Task A_cursor_no_answer_gave_is_a_400(long after)
    {
        (int id, _) = await SeedFinishedRunAsync(lines: 2);
        await Problems.AssertAsync(await idle.Anonymous.GetAsync($"/api/runs/{id}/events?after={after}"), HttpStatusCode.BadRequest, "after");
    }

    private async Task<RunEventsView> GetAsync(string path) =>
        (await idle.Anonymous.GetFromJsonAsync<RunEventsView>(path, ApiJson.Options))!;

    private async Task<(int Id, string Events)> SeedFinishedRunAsync(int lines)
    {
        string folder = Path.Combine(idle.Portal.Paths.Runs, $"seeded-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string events = Path.Combine(folder, "events.jsonl");
        await File.WriteAllTextAsync(events, string.Concat(Enumerable.Range(1, lines).Select(Line)));
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        var job = new JobRecord
        {
            Kind = JobKind.Training, State = JobState.Succeeded, Title = "seeded", RequestJson = "{}", Device = "cpu",
            RunFolder = folder, CreatedAt = DateTime.UtcNow, FinishedAt = DateTime.UtcNow,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        return (job.Id, events);
    }

    private static string Text(int n) => $"event {n} " + new string('.', 100);

    private static string Line(int n) => JsonSerializer.Serialize<TrainingEvent>(new RunMessage(Text(n)), EventLog.JsonOptions) + "\n";

    private static int IndexOfLine(byte[] bytes, int line)
    {
        int at = 0;
        for (int i = 0; i < line; i++) at = Array.IndexOf(bytes, (byte)'\n', at) + 1;
        return at;
    }
}
