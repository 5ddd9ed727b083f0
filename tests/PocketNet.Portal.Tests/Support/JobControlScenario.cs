using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tests.Support;

/// <summary>
/// One portal (one job per device) taken through cancel, resume, failure and delete, recording what the API answered
/// at each step; JobControlTests asserts on the record. The steps:
/// <list type="number">
/// <item>Run A (6 epochs, a checkpoint each) starts; once its first epoch is done, B (valid) and C (on a training set
/// that is deleted right after) are queued behind it, and resume and delete are tried on running A.</item>
/// <item>B is cancelled while queued; then A is cancelled while running; C then runs and fails.</item>
/// <item>A is resumed and runs to success; resume and cancel are tried on it; then it is deleted.</item>
/// </list>
/// </summary>
public sealed class JobControlScenario : IAsyncLifetime
{
    public const int Epochs = 6;
    public const string DoomedSet = "DoomedFaces";

    private readonly TempDirectory _doomed = new();

    public JobControlScenario()
    {
        string train = Path.Combine(_doomed.Path, "train");
        Directory.CreateDirectory(train);
        foreach (string file in Directory.GetFiles(Path.Combine(TinySynthData.Root, "train")))
            File.Copy(file, Path.Combine(train, Path.GetFileName(file)));
        Portal = new PortalFactory();
        Portal.Settings["Portal:JobsPerDevice"] = "1";
        Portal.Settings["Portal:TrainingSets:0:Name"] = DoomedSet;
        Portal.Settings["Portal:TrainingSets:0:Path"] = train;
        Portal.Settings["Portal:TrainingSets:0:Synthetic"] = "true";
    }

    public PortalFactory Portal { get; }
    public HttpClient Admin { get; private set; } = null!;

    public JobView A { get; private set; } = null!;
    public JobView B { get; private set; } = null!;
    public JobView C { get; private set; } = null!;

    public JobView BWhileARuns { get; private set; } = null!;
    public HttpStatusCode ResumeRunning { get; private set; }
    public HttpStatusCode DeleteRunning { get; private set; }
    public string? ResumeRunningDetail { get; private set; }
    public HttpStatusCode CancelQueued { get; private set; }
    public JobView BCancelled { get; private set; } = null!;
    public HttpStatusCode CancelRunning { get; private set; }
    public JobView ACancelled { get; private set; } = null!;
    public IReadOnlyList<int> CheckpointsWhenCancelled { get; private set; } = [];
    public JobView CFailed { get; private set; } = null!;
    public HttpStatusCode Resume { get; private set; }
    public JobView AResumed { get; private set; } = null!;
    public LiveSnapshot EventsWhenCancelled { get; private set; } = null!;
    public LiveSnapshot EventsAfterResume { get; private set; } = null!;

    /// <summary>The resumed attempt's report of where it starts (step 0 after its checkpoint); one per resume.</summary>
    public IReadOnlyList<StepProgress> ResumedAt { get; private set; } = [];

    /// <summary>A's progress as GET /api/runs/N showed it while the resumed attempt ran, in order.</summary>
    public List<double> ProgressAfterResume { get; } = [];
    public HttpStatusCode ResumeSucceeded { get; private set; }
    public HttpStatusCode CancelSucceeded { get; private set; }
    public HttpStatusCode Delete { get; private set; }
    public HttpStatusCode DeleteAgain { get; private set; }
    public HttpStatusCode GetDeleted { get; private set; }
    public string RunFolderOfA { get; private set; } = "";
    public bool RunFolderExistedBeforeDelete { get; private set; }
    public bool RunFolderExistsAfterDelete { get; private set; }
    public HttpStatusCode ModelOfDeletedJob { get; private set; }
    public bool ModelFolderExistsAfterDelete { get; private set; }

    public async Task InitializeAsync()
    {
        Admin = Portal.CreateAdminClient();
        A = await PostAsync("/api/runs", TinyRuns.Steady("A", Epochs));
        RunFolderOfA = Portal.Paths.RunFolder(A.Id);
        await WaitForLogAsync(A.Id, "epoch 1 done");

        B = await PostAsync("/api/runs", TinyRuns.Steady("B", 1));
        C = await PostAsync("/api/runs", TinyRuns.Steady("C", 1) with { TrainingSet = DoomedSet });
        _doomed.Dispose();
        BWhileARuns = await JobAsync(B.Id);
        HttpResponseMessage resumeRunning = await Admin.PostAsync($"/api/runs/{A.Id}/resume", null);
        ResumeRunning = resumeRunning.StatusCode;
        ResumeRunningDetail = await resumeRunning.Content.ReadAsStringAsync();
        DeleteRunning = (await Admin.DeleteAsync($"/api/runs/{A.Id}")).StatusCode;

        CancelQueued = (await Admin.PostAsync($"/api/runs/{B.Id}/cancel", null)).StatusCode;
        BCancelled = await JobAsync(B.Id);
        CancelRunning = (await Admin.PostAsync($"/api/runs/{A.Id}/cancel", null)).StatusCode;
        ACancelled = await PortalFactory.WaitForJobAsync(Admin, A.Id);
        CheckpointsWhenCancelled = new RunDirectory(RunFolderOfA).Checkpoints();
        EventsWhenCancelled = await EventsAsync(A.Id);
        CFailed = await PortalFactory.WaitForJobAsync(Admin, C.Id);

        Resume = (await Admin.PostAsync($"/api/runs/{A.Id}/resume", null)).StatusCode;
        AResumed = await WatchResumedAsync(A.Id);
        EventsAfterResume = await EventsAsync(A.Id);
        ResumedAt = EventLog.Read(Path.Combine(RunFolderOfA, RunDirectory.EventsFile)).OfType<StepProgress>().Where(s => s.Step == 0).ToList();
        ResumeSucceeded = (await Admin.PostAsync($"/api/runs/{A.Id}/resume", null)).StatusCode;
        CancelSucceeded = (await Admin.PostAsync($"/api/runs/{A.Id}/cancel", null)).StatusCode;

        RunFolderExistedBeforeDelete = Directory.Exists(RunFolderOfA);
        Delete = (await Admin.DeleteAsync($"/api/runs/{A.Id}")).StatusCode;
        RunFolderExistsAfterDelete = Directory.Exists(RunFolderOfA);
        DeleteAgain = (await Admin.DeleteAsync($"/api/runs/{A.Id}")).StatusCode;
        GetDeleted = (await Admin.GetAsync($"/api/runs/{A.Id}")).StatusCode;
        HttpResponseMessage model = await Admin.GetAsync($"/api/models/{AResumed.ModelId}");
        ModelOfDeletedJob = model.StatusCode;
        if (model.IsSuccessStatusCode)
        {
            ModelView view = (await model.Content.ReadFromJsonAsync<ModelView>(ApiJson.Options))!;
            ModelFolderExistsAfterDelete = File.Exists(Path.Combine(Portal.Paths.ModelFolder(view.Name), "weights.safetensors"));
        }
    }

    public Task DisposeAsync()
    {
        Portal.Dispose();
        _doomed.Dispose();
        return Task.CompletedTask;
    }

    private async Task<JobView> PostAsync(string path, object request) =>
        await Problems.ReadAsync<JobView>(await Admin.PostAsJsonAsync(path, request), HttpStatusCode.Accepted);

    private async Task<JobView> JobAsync(int id) => (await Admin.GetFromJsonAsync<JobView>($"/api/runs/{id}", ApiJson.Options))!;

    private async Task<LiveSnapshot> EventsAsync(int id) => (await Admin.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{id}/events", ApiJson.Options))!;

    private async Task<JobView> WatchResumedAsync(int id)
    {
        var deadline = DateTime.UtcNow + PortalFactory.JobTimeout;
        while (true)
        {
            JobView job = await JobAsync(id);
            if (job.State.IsFinished()) return job;
            if (job.State == JobState.Running) ProgressAfterResume.Add(job.Progress);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} is still {job.State} after its resume");
            await Task.Delay(50);
        }
    }

    private async Task WaitForLogAsync(int id, string prefix)
    {
        var deadline = DateTime.UtcNow + PortalFactory.JobTimeout;
        while (true)
        {
            LiveSnapshot events = await EventsAsync(id);
            if (events.Log.Any(l => l.Text.StartsWith(prefix, StringComparison.Ordinal))) return;
            JobView job = await JobAsync(id);
            if (job.State.IsFinished()) throw new InvalidOperationException($"job {id} ended {job.State} ({job.Error}) before its log said '{prefix}'");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} never logged '{prefix}'");
            await Task.Delay(100);
        }
    }
}
