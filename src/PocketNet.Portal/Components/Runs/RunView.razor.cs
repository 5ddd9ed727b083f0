using PocketNet.Portal.Components.Shared;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using PocketNet.Application.Evaluation;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Distributed;
using PocketNet.Portal.Store;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// What the run page shows of one job and keeps current over its circuit: state and numbers, processes, curves,
/// results, log, configuration and reproducibility record. Curves come from the live store while the job runs and
/// from its run folder's events.jsonl afterwards.
/// </summary>
public sealed partial class RunView : LiveComponent
{
    // Shown as text (the page encodes it): quotes inside genotypes stay readable instead of \u0027.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Parameter, EditorRequired] public int JobId { get; set; }
    [Inject] private Tracking.RunCatalog Runs { get; set; } = default!;
    [Inject] private Catalog.ModelQueries Models { get; set; } = default!;
    [Inject] private RunningJobs Running { get; set; } = default!;
    [Inject] private LiveJobs Live { get; set; } = default!;
    [Inject] private RunEvents Events { get; set; } = default!;

    private JobRecord? _job;
    private JobProgress _progress = default!;
    private LiveSnapshot _snapshot = default!;
    private ModelRecord? _model;
    private int? _missingModelId;
    private string? _genotype;
    private List<ResultRecord> _results = [];
    private string _requestJson = "";
    private string? _optionsJson;
    private RunWorld? _world;

    private string ResultsEmptyText => _job!.Kind switch
    {
        JobKind.Evaluation => "No results yet: each benchmark's result appears here when it is done.",
        JobKind.Search => "A search stores no results: train the genotype it finds.",
        _ => "No results yet: the benchmarks chosen for this run are evaluated after training.",
    };

    protected override bool Wants(PocketNet.Portal.Live.JobUpdate update) => update.Id == JobId;

    protected override async Task LoadAsync()
    {
        _job = await Runs.FindAsync(JobId);
        if (_job is null) return;
        _progress = JobProgress.Of(_job, Running);
        _snapshot = Snapshot(_job);
        _world = _job.Kind == JobKind.Training ? RunWorld.Of(_job) : null;
        _genotype = _job.Kind == JobKind.Search ? _job.Genotype ?? _snapshot.Genotype : null;
        _results = await Runs.ResultsAsync(JobId);
        await LoadModelAsync(_job);
        _requestJson = Pretty(_job.RequestJson);
        _optionsJson = ReadOptions(_job.RunFolder);
    }

    private LiveSnapshot Snapshot(JobRecord job) =>
        Live.Get(job.Id)
        ?? (job.RunFolder is null
            ? new LiveSnapshot(job.Id, null, [], [], [], null)
            : Finished(Events.All(job.Id, Path.Combine(job.RunFolder, RunDirectory.EventsFile))));

    private static LiveSnapshot Finished(RunEventsView v) => new(v.JobId, v.LastStep, v.Loss, v.Accuracy, v.Log, v.Genotype);

    /// <summary>The model the job registered (training) or evaluates (evaluation).</summary>
    private async Task LoadModelAsync(JobRecord job)
    {
        _model = null;
        _missingModelId = null;
        int? id = job.ModelId;
        if (id is null && job.Kind == JobKind.Evaluation)
            id = JsonSerializer.Deserialize<EvaluationRequest>(job.RequestJson, StoreJson.Requests)?.ModelId;
        if (id is null) return;
        _model = await Models.FindAsync(id.Value);
        _missingModelId = _model is null ? id : null;
    }

    private static string Pretty(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static string? ReadOptions(string? runFolder) =>
        Tracking.RunCatalog.ReadResolvedOptions(runFolder) is { } json ? Pretty(json) : null;

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
}
