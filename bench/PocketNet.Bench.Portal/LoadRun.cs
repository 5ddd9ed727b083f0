using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.ServerSentEvents;

namespace PocketNet.Bench.Portal;

/// <summary>What the load run measured: every request's endpoint, latency and outcome, and the live connections' messages.</summary>
public sealed record LoadResult(
    double Seconds, IReadOnlyList<RequestSample> Requests, int LiveConnections, int LiveConnectionsOpenAtEnd, long LiveMessages,
    string JobStateBefore, string JobStateAfter, double JobProgressBefore, double JobProgressAfter);

public readonly record struct RequestSample(string Path, double Milliseconds, bool Ok);

/// <summary>
/// Readers request the pages and the leaderboard API as fast as they get answers, each on its own task, while the
/// live connections listen to the job updates (GET /api/runs/updates, fed by the same feed as the pages' circuits);
/// bounded by a duration, on loopback only.
/// </summary>
public static class LoadRun
{
    public static readonly string[] Paths = ["/", "/leaderboard", "/api/leaderboard"];

    public static async Task<LoadResult> RunAsync(Uri address, HttpClient client, int jobId, int readers, int liveConnections, TimeSpan duration)
    {
        long messages = 0;
        int open = 0;
        using var listening = new CancellationTokenSource();
        using var live = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        var listeners = new List<Task>();
        for (int i = 0; i < liveConnections; i++)
        {
            HttpResponseMessage stream = await live.GetAsync("/api/runs/updates", HttpCompletionOption.ResponseHeadersRead, listening.Token);
            stream.EnsureSuccessStatusCode();
            listeners.Add(ListenAsync(stream, () => Interlocked.Increment(ref messages), () => Interlocked.Increment(ref open), listening.Token));
        }

        (string before, double progressBefore) = await JobAsync(client, jobId);
        var samples = new List<RequestSample>[readers];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, readers).Select(reader => Task.Run(async () =>
        {
            var mine = samples[reader] = [];
            for (int n = reader; clock.Elapsed < duration; n++)
            {
                string path = Paths[n % Paths.Length];
                long start = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using HttpResponseMessage response = await client.GetAsync(path);
                    await response.Content.ReadAsByteArrayAsync();
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }
                mine.Add(new RequestSample(path, Stopwatch.GetElapsedTime(start).TotalMilliseconds, ok));
            }
        })));
        double seconds = clock.Elapsed.TotalSeconds;
        (string after, double progressAfter) = await JobAsync(client, jobId);

        await listening.CancelAsync();
        await Task.WhenAll(listeners);
        return new LoadResult(seconds, samples.SelectMany(s => s).ToList(), liveConnections, liveConnections - open, Interlocked.Read(ref messages),
            before, after, progressBefore, progressAfter);
    }

    // Counts the stream's job updates; a stream that ends before the run does counts as closed (onClosed).
    private static async Task ListenAsync(HttpResponseMessage response, Action onMessage, Action onClosed, CancellationToken stop)
    {
        using (response)
        {
            try
            {
                await using Stream events = await response.Content.ReadAsStreamAsync(stop);
                await foreach (SseItem<string> item in SseParser.Create(events).EnumerateAsync(stop))
                    if (item.EventType == "job") onMessage();
                onClosed();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (HttpRequestException)
            {
                onClosed();
            }
        }
    }

    private static async Task<(string State, double Progress)> JobAsync(HttpClient client, int id)
    {
        JsonElement job = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        return (job.GetProperty("state").GetString()!, job.GetProperty("progress").GetDouble());
    }
}
