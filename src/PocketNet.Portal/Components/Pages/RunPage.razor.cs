using PocketNet.Portal.Components.Shared;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Distributed;
using PocketNet.Portal.Store;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Components.Pages;

/// <summary>
/// One job: state and numbers, curves, results, log and configuration. Curves come from the live store while the
/// job runs and from its run folder's events.jsonl afterwards; the page re-renders on each pushed update.
/// </summary>
public sealed partial class RunPage
{
    // Shown as text (the page encodes it): quotes inside genotypes stay readable instead of \u0027.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Parameter] public int Id { get; set; }
    [Inject] private IDbContextFactory<PortalDbContext> Store { get; set; } = default!;
    [Inject] private RunningJobs Running { get; set; } = default!;
    [Inject] private LiveJobs Live { get; set; } = default!;
    [Inject] private RunEvents Events { get; set; } = default!;
    [CascadingParameter] private HttpContext? Http { get; set; }

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

    protected override async Task OnParametersSetAsync()
    {
        await using PortalDbContext db = await Store.CreateDbContextAsync();
        _job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == Id);
        if (_job is null)
        {
            Http.MarkNotFound();
            return;
        }
        _progress = JobProgress.Of(_job, Running);
        _snapshot = Snapshot(_job);
        _world = _job.Kind == JobKind.Training ? RunWorld.Of(_job) : null;
        _genotype = _job.Kind == JobKind.Search ? _job.Genotype ?? _snapshot.Genotype : null;
        _results = await db.Results.AsNoTracking().Where(r => r.JobId == Id).OrderBy(r => r.Benchmark).ToListAsync();
        await LoadModelAsync(db, _job);
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
    private async Task LoadModelAsync(PortalDbContext db, JobRecord job)
    {
        int? id = job.ModelId;
        if (id is null && job.Kind == JobKind.Evaluation)
            id = JsonSerializer.Deserialize<EvaluationRequest>(job.RequestJson, StoreJson.Requests)?.ModelId;
        if (id is null) return;
        _model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id);
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
