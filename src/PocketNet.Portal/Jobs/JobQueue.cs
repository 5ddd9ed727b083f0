using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Models;
using PocketNet.Application.Planning;
using PocketNet.Application.Search;
using PocketNet.Application.Training;
using PocketNet.Models.Registry;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Portal.Store;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// Where jobs are asked for: requests are checked by <see cref="JobPlanner"/>, stored as queued jobs, and handed to
/// the engine (Hangfire) on the job's queue, where a worker of any host picks them up and runs them with
/// <see cref="JobRunner"/>. Cancel, resume and delete go through here too, and reach a job wherever it runs through
/// the store, so the rules about which state allows what live in one place.
/// </summary>
public sealed class JobQueue(IDbContextFactory<PortalDbContext> store, JobPlanner planner, IBackgroundJobClient engine, PortalPaths paths,
    ILogger<JobQueue> log)
{
    public async Task<JobRecord> EnqueueTrainingAsync(TrainingRequest request, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        var (teacher, teacherRun) = await FindTeacherAsync(db, request.TeacherModelId, cancellation);
        var (options, data) = planner.PlanTraining(request, AsTeacher(teacher, teacherRun));
        string title = !string.IsNullOrWhiteSpace(request.Name)
            ? request.Name.Trim()
            : $"{options.Model.DisplayName} {options.Mode} on {data.Name}";
        return await AddAsync(db, JobKind.Training, title, request, options.Device, request.Queue, cancellation);
    }

    public async Task<JobRecord> EnqueueSearchAsync(SearchRequest request, CancellationToken cancellation = default)
    {
        var (options, data) = planner.PlanSearch(request);
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        string title = !string.IsNullOrWhiteSpace(request.Name) ? request.Name.Trim() : $"DARTS search on {data.Name} ({options.Epochs} epochs)";
        return await AddAsync(db, JobKind.Search, title, request, options.Device, request.Queue, cancellation);
    }

    public async Task<JobRecord> EnqueueEvaluationAsync(EvaluationRequest request, CancellationToken cancellation = default)
    {
        string device = planner.PlanEvaluation(request);
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        ModelRecord model = await db.Models.FindAsync([request.ModelId], cancellation)
            ?? throw new ArgumentException($"modelId: there is no model {request.ModelId}");
        if (model.Folder is null) throw new ArgumentException($"modelId: {model.DisplayName} has no weights to evaluate (a published reference row)");
        string title = $"evaluate {model.DisplayName} on {string.Join(", ", request.Benchmarks)}";
        if (title.Length > 200) title = title[..197] + "...";
        return await AddAsync(db, JobKind.Evaluation, title, request, device, request.Queue, cancellation, model.Id);
    }

    /// <summary>
    /// Cancels a queued job at once, or asks a running one, on whichever host runs it, to stop after its current step
    /// (its worker reads the request with its next heartbeat); false when there is no such job.
    /// </summary>
    public async Task<bool> CancelAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        JobRecord? job = await db.Jobs.FindAsync([id], cancellation);
        if (job is null) return false;
        if (job.State is not (JobState.Queued or JobState.Running))
            throw new ConflictException($"job {id} is {job.State.ToString().ToLowerInvariant()}, not queued or running");
        // Only while it is still queued in the store: a worker may be taking it this very moment (it then finds the
        // job cancelled and runs nothing).
        DateTime now = DateTime.UtcNow;
        int cancelled = await db.Jobs.Where(j => j.Id == id && j.State == JobState.Queued).ExecuteUpdateAsync(set => set
            .SetProperty(j => j.State, JobState.Cancelled)
            .SetProperty(j => j.FinishedAt, now)
            .SetProperty(j => j.Phase, "cancelled before it started"), cancellation);
        if (cancelled == 1) ForgetEngineJob(job.EngineJobId);
        // Taken meanwhile, or running already: its worker stops it.
        else
            await db.Jobs.Where(j => j.Id == id && j.State == JobState.Running).ExecuteUpdateAsync(set => set
                .SetProperty(j => j.CancelRequested, true), cancellation);
        return true;
    }

    /// <summary>Queues a stopped or failed job again; training and search continue from their newest checkpoint.</summary>
    public async Task<bool> ResumeAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        JobRecord? job = await db.Jobs.FindAsync([id], cancellation);
        if (job is null) return false;
        if (job.State is not (JobState.Cancelled or JobState.Failed))
            throw new ConflictException($"job {id} is {job.State.ToString().ToLowerInvariant()}; only cancelled or failed jobs resume");
        job.State = JobState.Queued;
        job.Resume = job.RunFolder is not null && File.Exists(Path.Combine(job.RunFolder, RunDirectory.OptionsFile));
        job.Error = null;
        job.FinishedAt = null;
        job.CancelRequested = false;
        job.Worker = null;
        job.Phase = job.Resume ? "queued to resume from the newest checkpoint" : "queued again";
        await db.SaveChangesAsync(cancellation);
        await HandToEngineAsync(db, job, cancellation);
        return true;
    }

    /// <summary>Deletes a job that is not running, with its run folder; models it registered stay.</summary>
    public async Task<bool> DeleteAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        JobRecord? job = await db.Jobs.FindAsync([id], cancellation);
        if (job is null) return false;
        if (job.State == JobState.Running) throw new ConflictException($"job {id} is running; cancel it first");
        db.Jobs.Remove(job);
        await db.SaveChangesAsync(cancellation);
        if (job.State == JobState.Queued) ForgetEngineJob(job.EngineJobId);
        if (job.RunFolder is not null && paths.Contains(job.RunFolder) && Directory.Exists(job.RunFolder))
            Directory.Delete(job.RunFolder, recursive: true);
        return true;
    }

    private async Task<JobRecord> AddAsync(PortalDbContext db, JobKind kind, string title, object request, string device,
        string? queue, CancellationToken cancellation, int? modelId = null)
    {
        queue = JobEngineOptions.QueueFor(queue, device);
        var job = new JobRecord
        {
            Kind = kind,
            State = JobState.Queued,
            Title = title.Length > 200 ? title[..200] : title,
            RequestJson = JsonSerializer.Serialize(request, request.GetType(), StoreJson.Requests),
            Device = device,
            Queue = queue,
            CreatedAt = DateTime.UtcNow,
            Phase = "queued",
            // An evaluation names its model from the start (JobRecord.ModelId: registered or evaluated).
            ModelId = modelId,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellation);
        job.RunFolder = paths.RunFolder(job.Id);
        await db.SaveChangesAsync(cancellation);
        await HandToEngineAsync(db, job, cancellation);
        return job;
    }

    /// <summary>
    /// Takes a job that will not run out of the engine's queue, so a later resume's delivery is its only one. Best
    /// effort: a delivery that is already under way finds the job cancelled or gone in the store and runs nothing.
    /// </summary>
    private void ForgetEngineJob(string? engineJobId)
    {
        if (engineJobId is null) return;
        try
        {
            engine.Delete(engineJobId);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "could not take engine job {EngineJob} out of its queue; its delivery will find nothing to run", engineJobId);
        }
    }

    /// <summary>Enqueues a run of the stored job on its queue; a job the engine cannot take fails with the reason.</summary>
    private async Task HandToEngineAsync(PortalDbContext db, JobRecord job, CancellationToken cancellation)
    {
        int id = job.Id;
        try
        {
            job.EngineJobId = engine.Create<JobRunner>(runner => runner.RunAsync(id, CancellationToken.None), new EnqueuedState(job.Queue));
        }
        catch (Exception e)
        {
            job.State = JobState.Failed;
            job.FinishedAt = DateTime.UtcNow;
            job.Phase = "failed";
            job.Error = $"the job engine could not queue it: {e.Message}";
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
        // Only the engine's id: the worker may already have taken the job and changed its row.
        db.Entry(job).State = EntityState.Unchanged;
        db.Entry(job).Property(j => j.EngineJobId).IsModified = true;
        await db.SaveChangesAsync(cancellation);
    }

    private static async Task<(ModelRecord?, string?)> FindTeacherAsync(PortalDbContext db, int? teacherId, CancellationToken cancellation)
    {
        if (teacherId is null) return (null, null);
        var (teacher, run) = await FindTeacherAsync(db, teacherId.Value, cancellation);
        return (teacher ?? throw new ArgumentException($"teacherModelId: there is no model {teacherId}"), run);
    }

    /// <summary>A stored teacher as the planner takes it: its network and weights (none for an ONNX-only model) and the run that trained it.</summary>
    public static TeacherSource? AsTeacher(ModelRecord? teacher, string? run)
    {
        if (teacher is null) return null;
        bool hasWeights = teacher.ConfigJson is not null && teacher.Folder is not null && !teacher.Origin.OnnxOnly();
        return new TeacherSource(teacher.DisplayName,
            hasWeights ? JsonSerializer.Deserialize<ModelConfig>(teacher.ConfigJson!, StoreJson.Options) : null,
            hasWeights ? new ModelFolder(teacher.Folder!).Weights : null,
            run);
    }

    /// <summary>
    /// A teacher model and, when a job of this portal trained it and its run folder is still there, that folder (whose
    /// per-epoch checkpoints multi-step KD reads); the model is null when there is no such model.
    /// </summary>
    public static async Task<(ModelRecord? Teacher, string? Run)> FindTeacherAsync(PortalDbContext db, int teacherId, CancellationToken cancellation = default)
    {
        ModelRecord? teacher = await db.Models.FindAsync([teacherId], cancellation);
        if (teacher is null) return (null, null);
        string? run = teacher.JobId is int jobId ? (await db.Jobs.FindAsync([jobId], cancellation))?.RunFolder : null;
        return (teacher, run is not null && Directory.Exists(run) ? run : null);
    }
}
