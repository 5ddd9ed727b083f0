using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests.Support;

/// <summary>
/// A portal that has trained one tiny model (2 epochs, validated on synth_lfw after each, then evaluated on
/// synth_lfw), watched closely while it ran. The tests of <see cref="TrainedPortalCollection"/> read its
/// results, zip and leaderboard rows. It also offers "CorruptFaces", a copy of the training data whose train.rec
/// is overwritten with noise, for the failure tests.
/// </summary>
public sealed class TrainedPortal : IAsyncLifetime
{
    public const string CorruptSet = CorruptFaces.Name;

    private readonly TempDirectory _corrupt = new();

    public TrainedPortal()
    {
        Portal = new PortalFactory();
        CorruptFaces.Offer(Portal, _corrupt.Path);
    }

    public PortalFactory Portal { get; }

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The job as POST /api/runs answered.</summary>
    public JobView Accepted { get; private set; } = null!;

    /// <summary>Every state the job was seen in, in order, without repeats.</summary>
    public List<JobState> StatesSeen { get; } = [];

    /// <summary>Progress fractions seen while it ran, in order.</summary>
    public List<double> ProgressSeen { get; } = [];

    public JobView Finished { get; private set; } = null!;

    public ModelView Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Admin = Portal.CreateAdminClient();
        HttpResponseMessage response = await Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training("tiny", epochs: 2, "synth_lfw"));
        Accepted = await Problems.ReadAsync<JobView>(response, HttpStatusCode.Accepted);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            JobView job = (await Admin.GetFromJsonAsync<JobView>($"/api/runs/{Accepted.Id}", ApiJson.Options))!;
            if (StatesSeen.Count == 0 || StatesSeen[^1] != job.State) StatesSeen.Add(job.State);
            if (ProgressSeen.Count == 0 || ProgressSeen[^1] != job.Progress) ProgressSeen.Add(job.Progress);
            if (job.State.IsFinished())
            {
                Finished = job;
                break;
            }
            if (watch.Elapsed > PortalFactory.JobTimeout) throw new TimeoutException($"the tiny run is still {job.State} ({job.Phase})");
            await Task.Delay(50);
        }
        if (Finished.State != JobState.Succeeded) throw new InvalidOperationException($"the tiny run ended {Finished.State}: {Finished.Error}");
        Model = (await Admin.GetFromJsonAsync<ModelView>($"/api/models/{Finished.ModelId}", ApiJson.Options))!;
    }

    public async Task<LiveSnapshot> EventsAsync() =>
        (await Admin.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{Accepted.Id}/events", ApiJson.Options))!;

    public Task DisposeAsync()
    {
        Portal.Dispose();
        _corrupt.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedPortalCollection : ICollectionFixture<TrainedPortal>
{
    public const string Name = "trained portal";
}
