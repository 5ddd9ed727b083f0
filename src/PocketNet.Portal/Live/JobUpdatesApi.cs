using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace PocketNet.Portal.Live;

/// <summary>
/// GET /api/runs/updates: the job updates the portal's own pages receive, as server-sent events (event "job", one
/// JSON <see cref="JobUpdate"/> each), for scripts and dashboards outside the browser: <c>curl -N .../api/runs/updates</c>.
/// </summary>
public static class JobUpdatesApi
{
    // A listener that stops reading loses its oldest updates rather than holding the publisher or the memory.
    private const int Buffered = 256;

    public static RouteGroupBuilder MapJobUpdatesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/runs/updates", (JobUpdateFeed feed, CancellationToken aborted) => TypedResults.ServerSentEvents(Stream(feed, aborted)))
            .WithTags("Runs")
            .WithSummary("Every job's progress as it happens: server-sent events 'job' with id, state, progress (0..1), phase, loss, imagesPerSecond, remainingSeconds, latest (the newest progress event: a step, a check or an evaluation), runSeconds");
        return api;
    }

    private static async IAsyncEnumerable<SseItem<JobUpdate>> Stream(JobUpdateFeed feed, [EnumeratorCancellation] CancellationToken aborted)
    {
        var updates = Channel.CreateBounded<JobUpdate>(new BoundedChannelOptions(Buffered) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using IDisposable subscription = feed.Subscribe(update => updates.Writer.TryWrite(update));
        await foreach (JobUpdate update in updates.Reader.ReadAllAsync(aborted))
            yield return new SseItem<JobUpdate>(update, "job");
    }
}
