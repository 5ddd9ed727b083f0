using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace PocketNet.Bench.Portal;

/// <summary>What the load run measured: every request's endpoint, latency and outcome, and the live connections' messages.</summary>
public sealed record LoadResult(
    double Seconds, IReadOnlyList<RequestSample> Requests, int LiveConnections, int LiveConnectionsOpenAtEnd, long LiveMessages,
    string JobStateBefore, string JobStateAfter, double JobProgressBefore, double JobProgressAfter);

public readonly record struct RequestSample(string Path, double Milliseconds, bool Ok);

/// <summary>
/// Readers request the pages and the leaderboard API as fast as they get answers, each on its own task, while the
/// live connections listen to the jobs hub as the dashboard does; bounded by a duration, on loopback only.
/// </summary>
public static class LoadRun
{
    public static readonly string[] Paths = ["/", "/leaderboard", "/api/leaderboard"];

    public static async Task<LoadResult> RunAsync(Uri address, HttpClient client, int jobId, int readers, int liveConnections, TimeSpan duration)
    {
        long messages = 0;
        var connections = new List<HubConnection>();
        for (int i = 0; i < liveConnections; i++)
        {
            HubConnection connection = new HubConnectionBuilder().WithUrl(new Uri(address, "hubs/jobs")).Build();
            connection.On<JsonElement>("job", _ => Interlocked.Increment(ref messages));
            await connection.StartAsync();
            connections.Add(connection);
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

        int open = connections.Count(c => c.State == HubConnectionState.Connected);
        foreach (HubConnection connection in connections) await connection.DisposeAsync();
        return new LoadResult(seconds, samples.SelectMany(s => s).ToList(), liveConnections, open, Interlocked.Read(ref messages),
            before, after, progressBefore, progressAfter);
    }

    private static async Task<(string State, double Progress)> JobAsync(HttpClient client, int id)
    {
        JsonElement job = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        return (job.GetProperty("state").GetString()!, job.GetProperty("progress").GetDouble());
    }
}
