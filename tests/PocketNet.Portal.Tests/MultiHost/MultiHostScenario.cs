using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using PocketNet.Portal.Live;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tests.MultiHost;

/// <summary>
/// One web host and worker hosts as separate processes on one real PostgreSQL and one shared home, taken through
/// what several machines meet; MultiHostTests asserts on the record. The steps:
/// <list type="number">
/// <item>The web host and workers A and B start at the same moment on an empty database (they initialise it together).</item>
/// <item>20 evaluations of an uploaded ONNX model are queued on the web host and run on A and B.</item>
/// <item>A training run starts; once it has a checkpoint, its worker is killed with kill -9; the other takes it over.</item>
/// <item>An evaluation is queued on a queue no live worker serves; worker C, started later for that queue (and
/// seeing a home of its own), runs it; the datasets page warns that C does not see the shared home.</item>
/// <item>A long training run starts on the surviving worker; a cancel sent to the web host stops it.</item>
/// </list>
/// </summary>
public sealed class MultiHostScenario : IAsyncLifetime
{
    public const int Evaluations = 20;
    public const int TrainingEpochs = 4;
    public const string LateQueue = "late";


    // What an open page hears from the web host, through the same feed: GET /api/runs/updates (server-sent events).
    private async Task ListenAsync(HttpClient web, CancellationToken stop)
    {
        try
        {
            // A client of its own: the stream stays open far longer than the shared client's timeout.
            using var client = new HttpClient { BaseAddress = web.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            using HttpResponseMessage response = await client.GetAsync("/api/runs/updates", HttpCompletionOption.ResponseHeadersRead, stop);
            response.EnsureSuccessStatusCode();
            await using Stream events = await response.Content.ReadAsStreamAsync(stop);
            await foreach (System.Net.ServerSentEvents.SseItem<string> item in System.Net.ServerSentEvents.SseParser.Create(events).EnumerateAsync(stop))
                if (item.EventType == "job") _pushed.Enqueue(System.Text.Json.JsonSerializer.Deserialize<JobUpdate>(item.Data, ApiJson.Options)!);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private readonly TempDirectory _home = new();
    private readonly TempDirectory _otherHome = new();
    private readonly List<PortalProcess> _processes = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<JobUpdate> _pushed = new();
    private PostgresServer? _postgres;
    private string _connectionString = "";

    public PortalProcess Web { get; private set; } = null!;
    public PortalProcess WorkerA { get; private set; } = null!;
    public PortalProcess WorkerB { get; private set; } = null!;
    public PortalProcess WorkerC { get; private set; } = null!;

    public bool AllStartedTogether { get; private set; }
    public IReadOnlyList<JobView> EvaluationJobs { get; private set; } = [];
    public IReadOnlyDictionary<int, int> ResultRowsPerJob { get; private set; } = new Dictionary<int, int>();

    public JobView TrainingBeforeKill { get; private set; } = null!;
    public int CheckpointAtKill { get; private set; }
    public string KilledWorker { get; private set; } = "";
    public string SurvivingWorker { get; private set; } = "";
    public JobView TrainingDone { get; private set; } = null!;
    public int ModelsOfTraining { get; private set; }
    public int ResultsOfTraining { get; private set; }
    public int StepEventsOfTraining { get; private set; }
    public long TotalStepsOfTraining { get; private set; }
    public IReadOnlyList<Jobs.LogLine> TrainingLog { get; private set; } = [];
    public TimeSpan TakeOverTime { get; private set; }

    /// <summary>What the web host (which runs no jobs) pushed to open pages about the training run on the workers.</summary>
    public IReadOnlyList<JobUpdate> PushedForTraining { get; private set; } = [];

    public JobView LateBeforeWorker { get; private set; } = null!;
    public JobView LateDone { get; private set; } = null!;
    public string DatasetsPageBeforeC { get; private set; } = "";
    public string DatasetsPageWithC { get; private set; } = "";

    public JobView CancelTarget { get; private set; } = null!;
    public JobView Cancelled { get; private set; } = null!;
    public TimeSpan CancelTime { get; private set; }
    public HttpStatusCode DashboardPageWhileRunning { get; private set; }
    public IReadOnlyList<string> QueuesOffered { get; private set; } = [];

    public async Task InitializeAsync()
    {
        _postgres = PostgresServer.Start();
        _connectionString = _postgres.CreateDatabase("portal");
        _ = TinySynthData.Root;

        // 1. Three processes initialise one empty database at once.
        Web = Start("web");
        WorkerA = Start("worker");
        WorkerB = Start("worker");
        await Task.WhenAll(Web.WaitReadyAsync(), WorkerA.WaitReadyAsync(), WorkerB.WaitReadyAsync());
        AllStartedTogether = !Web.HasExited && !WorkerA.HasExited && !WorkerB.HasExited;
        HttpClient web = Web.Client;
        await WaitForQueueAsync("cpu", workers: 2);
        QueuesOffered = await QueueNamesAsync();

        // 2. Twenty tiny jobs on two workers.
        ModelView model = await Problems.ReadAsync<ModelView>(await UploadAsync(web), HttpStatusCode.Created);
        var queued = new List<JobView>();
        for (int i = 0; i < Evaluations; i++)
            queued.Add(await PostAsync("/api/evaluations", new { modelId = model.Id, benchmarks = new[] { "synth_lfw" }, runtime = "onnx", device = "cpu" }));
        var done = new List<JobView>();
        foreach (JobView job in queued) done.Add(await PortalFactory.WaitForJobAsync(web, job.Id, TimeSpan.FromMinutes(5)));
        EvaluationJobs = done;
        ResultRowsPerJob = await ResultRowsAsync();

        // 3. kill -9 of the worker that trains, while a page on the web host listens to live updates.
        using var listening = new CancellationTokenSource();
        Task listener = ListenAsync(web, listening.Token);
        JobView training = await PostAsync("/api/runs", TinyRuns.Steady("taken over", TrainingEpochs) with { Benchmarks = ["synth_lfw"] });
        string runFolder = Path.Combine(_home.Path, "runs", $"job-{training.Id:D4}");
        // Killed halfway through the epoch after its first checkpoint, so some steps are lost and done again.
        // Read from the run's event log (every step), not the store's phase (every heartbeat): on an idle machine an
        // epoch of this tiny run can pass between two heartbeats.
        TrainingBeforeKill = await PortalFactory.WaitForJobAsync(web, training.Id,
            j => j.State == JobState.Running && j.Worker is not null && IsPastCheckpointBy(runFolder, steps: 3), "to be halfway through the epoch after a checkpoint");
        PortalProcess victim = TrainingBeforeKill.Worker == WorkerA.WorkerName ? WorkerA : WorkerB;
        PortalProcess survivor = victim == WorkerA ? WorkerB : WorkerA;
        victim.Kill();
        var clock = Stopwatch.StartNew();
        CheckpointAtKill = new RunDirectory(runFolder).Checkpoints().LastOrDefault();
        (KilledWorker, SurvivingWorker) = (victim.WorkerName, survivor.WorkerName);
        await PortalFactory.WaitForJobAsync(web, training.Id, j => j.Attempts >= 2, "to be taken over", TimeSpan.FromMinutes(3));
        TakeOverTime = clock.Elapsed;
        TrainingDone = await PortalFactory.WaitForJobAsync(web, training.Id, TimeSpan.FromMinutes(5));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await listening.CancelAsync();
        await listener;
        PushedForTraining = _pushed.Where(u => u.Id == training.Id).ToList();
        ModelsOfTraining = await CountAsync($"SELECT count(*) FROM \"Models\" WHERE \"JobId\" = {training.Id}");
        ResultsOfTraining = await CountAsync($"SELECT count(*) FROM \"Results\" WHERE \"JobId\" = {training.Id}");
        IReadOnlyList<TrainingEvent> events = PocketNet.Training.Progress.EventLog.Read(Path.Combine(runFolder, RunDirectory.EventsFile));
        List<StepProgress> steps = events.OfType<StepProgress>().Where(s => s.Step > 0).ToList(); // not the resume's position report
        StepEventsOfTraining = steps.Count;
        TotalStepsOfTraining = steps.Count == 0 ? 0 : steps.Max(s => s.TotalSteps);
        TrainingLog = (await web.GetFromJsonAsync<Jobs.LiveSnapshot>($"/api/runs/{training.Id}/events", ApiJson.Options))!.Log;

        // 4. A worker started later picks up queued work.
        JobView late = await PostAsync("/api/evaluations", new { modelId = model.Id, benchmarks = new[] { "synth_lfw" }, runtime = "onnx", device = "cpu", queue = LateQueue });
        await Task.Delay(TimeSpan.FromSeconds(3));
        LateBeforeWorker = await JobAsync(late.Id);
        // C sees a home of its own (as a host without the shared mount would): the datasets page says so.
        DatasetsPageBeforeC = await web.GetStringAsync("/datasets");
        WorkerC = Start("worker", new Dictionary<string, string> { ["Portal__Queues__0__Name"] = LateQueue, ["Portal__Home"] = _otherHome.Path });
        await WorkerC.WaitReadyAsync();
        LateDone = await PortalFactory.WaitForJobAsync(web, late.Id, TimeSpan.FromMinutes(3));
        DatasetsPageWithC = await web.GetStringAsync("/datasets");

        // 5. A cancel sent to the web host stops a job running on a worker.
        JobView target = await PostAsync("/api/runs", TinyRuns.Steady("cancelled from the web host", 500));
        CancelTarget = await PortalFactory.WaitForJobAsync(web, target.Id, j => j.State == JobState.Running && j.Progress > 0, "to make progress");
        DashboardPageWhileRunning = (await web.GetAsync("/jobs/engine")).StatusCode;
        clock.Restart();
        Assert.Equal(HttpStatusCode.Accepted, (await web.PostAsync($"/api/runs/{target.Id}/cancel", null)).StatusCode);
        Cancelled = await PortalFactory.WaitForJobAsync(web, target.Id, TimeSpan.FromMinutes(2));
        CancelTime = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        foreach (PortalProcess process in _processes) process.Dispose();
        _postgres?.Dispose();
        _home.Dispose();
        _otherHome.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>What each process printed last, for a failing assertion's message.</summary>
    public string Logs => string.Join("\n\n", _processes.Select(p => $"--- {p.Role} {p.WorkerName} ---\n{p.Output}"));

    private PortalProcess Start(string role, IReadOnlyDictionary<string, string>? settings = null)
    {
        PortalProcess process = PortalProcess.Start(role, _home.Path, _connectionString, settings);
        _processes.Add(process);
        return process;
    }

    // "training: epoch 2/4, step 3/6" -> 3 when it is that epoch, else 0.
    /// <summary>True when the run's newest step is at least <paramref name="steps"/> into the epoch after its newest checkpoint.</summary>
    private static bool IsPastCheckpointBy(string runFolder, int steps)
    {
        IReadOnlyList<int> checkpoints = new RunDirectory(runFolder).Checkpoints();
        if (checkpoints.Count == 0) return false;
        StepProgress? last = PocketNet.Training.Progress.EventLog.Read(Path.Combine(runFolder, RunDirectory.EventsFile)).OfType<StepProgress>().LastOrDefault();
        return last is not null && last.Epoch == checkpoints[^1] + 1 && last.Step >= steps;
    }

    private async Task<JobView> PostAsync(string path, object request) =>
        await Problems.ReadAsync<JobView>(await Web.Client.PostAsJsonAsync(path, request), HttpStatusCode.Accepted);

    private async Task<JobView> JobAsync(int id) => (await Web.Client.GetFromJsonAsync<JobView>($"/api/runs/{id}", ApiJson.Options))!;

    private async Task<List<string>> QueueNamesAsync() =>
        (await Web.Client.GetFromJsonAsync<List<Jobs.Workers.QueueView>>("/api/queues", ApiJson.Options))!.Select(q => q.Name).ToList();

    private async Task WaitForQueueAsync(string queue, int workers)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var queues = (await Web.Client.GetFromJsonAsync<List<Jobs.Workers.QueueView>>("/api/queues", ApiJson.Options))!;
            if (queues.FirstOrDefault(q => q.Name == queue)?.Workers.Count >= workers) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"queue {queue} never had {workers} live workers:\n{Logs}");
            await Task.Delay(250);
        }
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client)
    {
        var file = new ByteArrayContent(TinyOnnx.FaceModel);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync("/api/models/upload", new MultipartFormDataContent { { file, "file", "tiny.onnx" }, { new StringContent("tiny external"), "name" } });
    }

    private async Task<Dictionary<int, int>> ResultRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"JobId\", count(*) FROM \"Results\" WHERE \"JobId\" IS NOT NULL GROUP BY \"JobId\"", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<int, int>();
        while (await reader.ReadAsync()) rows[reader.GetInt32(0)] = (int)reader.GetInt64(1);
        return rows;
    }

    private async Task<int> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }
}
