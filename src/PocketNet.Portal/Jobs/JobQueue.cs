using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Store;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// The persistent queue: requests are checked by <see cref="JobPlanner"/> and stored as queued jobs, which the
/// <see cref="JobRunner"/> picks up. Cancel, resume and delete go through here too, so the rules about which state
/// allows what live in one place.
/// </summary>
public sealed class JobQueue(IDbContextFactory<PortalDbContext> store, JobPlanner planner, JobRunner runner, PortalPaths paths)
{
    public async Task<JobRecord> EnqueueTrainingAsync(TrainRunRequest request, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        var (teacher, teacherRun) = await FindTeacherAsync(db, request.TeacherModelId, cancellation);
        var (options, data) = planner.PlanTraining(request, teacher, teacherRun);
        string title = !string.IsNullOrWhiteSpace(request.Name)
            ? request.Name.Trim()
            : $"{options.Model.DisplayName} {options.Mode} on {data.Name}";
        return await AddAsync(db, JobKind.Training, title, request, options.Device, cancellation);
    }

    public async Task<JobRecord> EnqueueSearchAsync(SearchRunRequest request, CancellationToken cancellation = default)
    {
        var (options, data) = planner.PlanSearch(request);
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        string title = !string.IsNullOrWhiteSpace(request.Name) ? request.Name.Trim() : $"DARTS search on {data.Name} ({options.Epochs} epochs)";
        return await AddAsync(db, JobKind.Search, title, request, options.Device, cancellation);
    }

    public async Task<JobRecord> EnqueueEvaluationAsync(EvaluationRequest request, CancellationToken cancellation = default)
    {
        if (request.Benchmarks.Count == 0) throw new ArgumentException("benchmarks: choose at least one benchmark");
        planner.CheckBenchmarks(request.Benchmarks, "benchmarks");
        _ = Application.Evaluation.EvaluationRuntime.Parse(request.Runtime);
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        ModelRecord model = await db.Models.FindAsync([request.ModelId], cancellation)
            ?? throw new ArgumentException($"modelId: there is no model {request.ModelId}");
        if (model.Folder is null) throw new ArgumentException($"modelId: {model.DisplayName} has no weights to evaluate (a published reference row)");
        string device = JobPlanner.ResolveDevice(request.Device);
        string title = $"evaluate {model.DisplayName} on {string.Join(", ", request.Benchmarks)}";
        if (title.Length > 200) title = title[..197] + "...";
        return await AddAsync(db, JobKind.Evaluation, title, request, device, cancellation, model.Id);
    }

    /// <summary>Cancels a queued job at once or asks a running one to stop after its current step; false when there is no such job.</summary>
    public async Task<bool> CancelAsync(int id, CancellationToken cancellation = default)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        JobRecord? job = await db.Jobs.FindAsync([id], cancellation);
        if (job is null) return false;
        switch (job.State)
        {
            case JobState.Queued:
                // Only while it is still queued in the store: the runner may be claiming it this very moment.
                DateTime now = DateTime.UtcNow;
                int cancelled = await db.Jobs.Where(j => j.Id == id && j.State == JobState.Queued).ExecuteUpdateAsync(set => set
                    .SetProperty(j => j.State, JobState.Cancelled)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.Phase, "cancelled before it started"), cancellation);
                // Claimed meanwhile: it is running now, so it is stopped as a running job.
                if (cancelled == 0) runner.Cancel(id);
                return true;
            case JobState.Running:
                runner.Cancel(id);
                return true;
            default:
                throw new ConflictException($"job {id} is {job.State.ToString().ToLowerInvariant()}, not queued or running");
        }
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
        job.Phase = job.Resume ? "queued to resume from the newest checkpoint" : "queued again";
        await db.SaveChangesAsync(cancellation);
        runner.Wake();
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
        if (job.RunFolder is not null && paths.Contains(job.RunFolder) && Directory.Exists(job.RunFolder))
            Directory.Delete(job.RunFolder, recursive: true);
        return true;
    }

    private async Task<JobRecord> AddAsync(PortalDbContext db, JobKind kind, string title, object request, string device,
        CancellationToken cancellation, int? modelId = null)
    {
        var job = new JobRecord
        {
            Kind = kind,
            State = JobState.Queued,
            Title = title.Length > 200 ? title[..200] : title,
            RequestJson = JsonSerializer.Serialize(request, request.GetType(), StoreJson.Requests),
            Device = device,
            CreatedAt = DateTime.UtcNow,
            Phase = "queued",
            // An evaluation names its model from the start (JobRecord.ModelId: registered or evaluated).
            ModelId = modelId,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellation);
        job.RunFolder = paths.RunFolder(job.Id);
        await db.SaveChangesAsync(cancellation);
        runner.Wake();
        return job;
    }

    private static async Task<(ModelRecord?, string?)> FindTeacherAsync(PortalDbContext db, int? teacherId, CancellationToken cancellation)
    {
        if (teacherId is null) return (null, null);
        var (teacher, run) = await FindTeacherAsync(db, teacherId.Value, cancellation);
        return (teacher ?? throw new ArgumentException($"teacherModelId: there is no model {teacherId}"), run);
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
