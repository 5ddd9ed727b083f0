using System.Text.Json;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Models;
using PocketNet.Application.Planning;
using PocketNet.Application.Search;
using PocketNet.Application.Training;
using PocketNet.Data.Registry;
using PocketNet.Models.Registry;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Jobs.Distributed;
using PocketNet.Portal.Store;
using PocketNet.Torch;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// Does one job's work on the runner's thread, through the application layer the CLI uses: trains (then registers
/// and evaluates the model), searches, or evaluates. Training and search continue from the newest checkpoint when
/// the job is a resume. Results are stored benchmark by benchmark, so a failure keeps what was finished.
/// </summary>
public sealed class JobExecutor(
    IDbContextFactory<PortalDbContext> store,
    JobPlanner planner,
    ModelStore models,
    BenchmarkRegistry registry,
    TrainingProcesses processes,
    IOptions<PortalOptions> settings,
    ILogger<JobExecutor> log)
{
    // Planned again where the job runs: this host's devices resolve auto and are checked (a web host that queued it could not).
    private JobPlanner Planner => planner.On(PlanningHost.Portal(devicesHere: true));

    public void Execute(JobRecord job, JobReporter reporter, CancellationToken cancellation)
    {
        string runFolder = job.RunFolder ?? throw new InvalidOperationException($"job {job.Id} has no run folder");
        Directory.CreateDirectory(runFolder);
        switch (job.Kind)
        {
            case JobKind.Training:
                Train(job, Read<TrainingRequest>(job), runFolder, reporter, cancellation);
                break;
            case JobKind.Search:
                Search(job, Read<SearchRequest>(job), runFolder, reporter, cancellation);
                break;
            case JobKind.Evaluation:
                var request = Read<EvaluationRequest>(job);
                ModelRecord model = FindModel(request.ModelId);
                _ = Planner.PlanEvaluation(request);
                using (var events = new EventLog(Path.Combine(runFolder, RunDirectory.EventsFile), reporter))
                    Evaluate(job, model, request.Benchmarks, request.Runtime, events, reporter, cancellation);
                break;
            default:
                throw new NotSupportedException($"job kind {job.Kind}");
        }
    }

    private void Train(JobRecord job, TrainingRequest request, string runFolder, JobReporter reporter, CancellationToken cancellation)
    {
        ModelRecord? model = job.ModelId is int id ? FindModelOrNull(id) : null;
        var evaluation = new EvaluationService(registry);
        // A benchmark that is also checked after every epoch is not embedded again by the evaluation: the last check is its result.
        List<string> embedded = request.Benchmarks.Except(FinalCheck.Covers(request, registry)).ToList();
        long evaluationImages = embedded.Sum(b => ImagesOf(evaluation, b));
        if (model is null)
        {
            var (teacher, teacherRun) = FindTeacher(request.TeacherModelId);
            var (options, data) = Planner.PlanTraining(request, JobQueue.AsTeacher(teacher, teacherRun));
            double share = FinalCheck.TrainingShare(options, request.Validation.Sum(b => ImagesOf(evaluation, b)), evaluationImages);
            reporter.Range(0, share);
            reporter.ThenEmbeds(evaluationImages);
            bool resumes = job.Resume && File.Exists(Path.Combine(runFolder, RunDirectory.OptionsFile));
            string modelFolder = request.Processes > 1
                ? TrainInProcesses(options, resumes, runFolder, request.Processes, reporter, cancellation)
                : resumes
                    ? TrainingService.Resume(runFolder, reporter, cancellation)
                    : TrainingService.Train(options, runFolder, reporter, cancellation);
            reporter.Advance(1, "registering the model and exporting it to ONNX");
            model = models.RegisterTrained(job, options, data, modelFolder);
            SetModel(job.Id, model.Id);
            reporter.Range(share, 1);
        }
        else reporter.Range(reporter.Progress, 1); // taken over after training: the evaluation fills the rest of the bar
        reporter.ThenEmbeds(0);
        if (request.Benchmarks.Count == 0) return;
        using var events = new EventLog(Path.Combine(runFolder, RunDirectory.EventsFile), reporter);
        List<string> evaluate = [.. request.Benchmarks.Where(b => !TakeFinalCheck(job, model, request, b, runFolder, events))];
        if (evaluate.Count == 0)
        {
            reporter.Advance(1, "evaluation done: " + FinalCheck.Note);
            return;
        }
        Evaluate(job, model, evaluate, EvaluationRuntime.Libtorch, events, reporter, cancellation);
    }

    /// <summary>
    /// Stores the check after the last epoch as the result on <paramref name="benchmark"/> when it checked the final
    /// weights on that benchmark's file by the same protocol; false (evaluate it) otherwise.
    /// </summary>
    private bool TakeFinalCheck(JobRecord job, ModelRecord model, TrainingRequest request, string benchmark, string runFolder, EventLog events)
    {
        if (!FinalCheck.Covers(request, registry).Contains(benchmark)) return false;
        if (FinalCheck.Find(registry, benchmark, runFolder) is not { } check) return false;
        BenchmarkResult result = FinalCheck.Result(registry, benchmark, check);
        models.SaveResults(model.Id, job.Id, FinalCheck.Report(model, result), FinalCheck.Note);
        FinalCheck.WriteScores(check, Path.Combine(runFolder, "scores", $"{benchmark}.csv"));
        events.Report(new RunMessage($"{result.DisplayName}{(result.Synthetic ? " (synthetic)" : "")}: {result.HeadlineMetric} {result.Headline:P2} " +
                                     $"{FinalCheck.Note} (step {check.GlobalStep:N0}: same weights, pairs and protocol; not embedded again)"));
        return true;
    }

    /// <summary>
    /// Several processes: the run is recorded here as <see cref="TrainingService.Train"/> records it (a resume keeps the
    /// run.json it has), then the ranks train it from its run folder.
    /// </summary>
    private string TrainInProcesses(TrainingOptions options, bool resumes, string runFolder, int count, JobReporter reporter, CancellationToken cancellation)
    {
        if (!resumes) new RunDirectory(runFolder).Initialise(options);
        return processes.Train(runFolder, count, reporter, cancellation);
    }

    private void Search(JobRecord job, SearchRequest request, string runFolder, JobReporter reporter, CancellationToken cancellation)
    {
        var (options, _) = Planner.PlanSearch(request);
        string resultFolder = job.Resume && File.Exists(Path.Combine(runFolder, RunDirectory.OptionsFile))
            ? SearchService.Resume(runFolder, reporter, cancellation)
            : SearchService.Search(options, runFolder, reporter, cancellation);
        ModelConfig config = new ModelFolder(resultFolder).ReadConfig();
        using PortalDbContext db = store.CreateDbContext();
        JobRecord stored = db.Jobs.Find(job.Id)!;
        stored.Genotype = config.Genotype;
        db.SaveChanges();
    }

    /// <summary>Evaluates benchmark by benchmark, storing each result as soon as it exists; scores go to the run folder.</summary>
    private void Evaluate(JobRecord job, ModelRecord model, IReadOnlyList<string> benchmarks, EvaluationRuntime runtime, EventLog events,
        JobReporter reporter, CancellationToken cancellation)
    {
        string folder = model.Folder ?? throw new InvalidOperationException($"{model.DisplayName} has no files to evaluate");
        Device device = Device.Parse(job.Device);
        var evaluation = new EvaluationService(registry, onnxOptions: settings.Value.OnnxRuntime.On(device));
        // An ONNX-only model (uploaded or quantised) is its graph; ours are their folder.
        string target = model.Origin.OnnxOnly() ? new ModelFolder(folder).Onnx : folder;
        // Benchmark by benchmark (each result stored as soon as it exists); the progress counts them all.
        // Counted once: a synthetic pair set without published counts is read to be counted.
        long[] images = benchmarks.Select(b => ImagesOf(evaluation, b)).ToArray();
        int done = 0;
        reporter.ThenEmbeds(images.Skip(1).Sum());
        evaluation.EvaluateModel(target, null, null, runtime, device, benchmarks, Path.Combine(job.RunFolder!, "scores"), events, cancellation, report =>
        {
            models.SaveResults(model.Id, job.Id, report);
            foreach (BenchmarkResult result in report.Results)
                events.Report(new RunMessage($"{result.DisplayName}{(result.Synthetic ? " (synthetic)" : "")}: {result.HeadlineMetric} {result.Headline:P2} in {result.Seconds:F1} s"));
            done++;
            reporter.ThenEmbeds(images.Skip(done + 1).Sum());
        });
        reporter.ThenEmbeds(0);
        reporter.Advance(1, "evaluation done");
        log.LogInformation("job {Job}: evaluated {Model} on {Count} benchmarks", job.Id, model.Name, benchmarks.Count);
    }

    // Only for estimates: a benchmark that cannot be counted is left out of them; evaluating it says what is wrong.
    private static long ImagesOf(EvaluationService evaluation, string benchmark)
    {
        try
        {
            return evaluation.CountImages(benchmark);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            return 0;
        }
    }

    private static T Read<T>(JobRecord job) =>
        JsonSerializer.Deserialize<T>(job.RequestJson, StoreJson.Requests)
        ?? throw new InvalidDataException($"job {job.Id}: its stored request is empty");

    private ModelRecord FindModel(int id) =>
        FindModelOrNull(id) ?? throw new InvalidOperationException($"model {id} no longer exists");

    private ModelRecord? FindModelOrNull(int id)
    {
        using PortalDbContext db = store.CreateDbContext();
        return db.Models.Find(id);
    }

    private (ModelRecord?, string?) FindTeacher(int? teacherId)
    {
        if (teacherId is null) return (null, null);
        using PortalDbContext db = store.CreateDbContext();
        // The job's own thread: waiting on the store's lookup blocks nothing else.
        var (teacher, run) = JobQueue.FindTeacherAsync(db, teacherId.Value).GetAwaiter().GetResult();
        return (teacher ?? throw new InvalidOperationException($"teacher model {teacherId} no longer exists"), run);
    }

    private void SetModel(int jobId, int modelId)
    {
        using PortalDbContext db = store.CreateDbContext();
        JobRecord job = db.Jobs.Find(jobId)!;
        job.ModelId = modelId;
        db.SaveChanges();
    }
}
