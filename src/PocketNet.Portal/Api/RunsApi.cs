using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Search;
using PocketNet.Application.Training;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Distributed;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tracking;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Api;

/// <summary>/api/runs, /api/searches, /api/evaluations: jobs, their progress, and the commands that change them (admin only).</summary>
public static class RunsApi
{
    public static void MapRunsApi(this IEndpointRouteBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/", ListAsync).WithSummary("All jobs, newest first");
        runs.MapGet("/search", SearchAsync)
            .WithSummary("A page of the runs list: q (title or notes), kind, state, tag, sort (id, title, state, created, finished, loss), desc, page, page_size");
        runs.MapGet("/{id:int}", GetAsync).WithSummary("One job");
        runs.MapGet("/{id:int}/events", EventsAsync)
            .WithSummary("A job's curves (loss, accuracy) and log tail, with 'next'; ?after=NEXT answers only what was recorded since");
        runs.MapGet("/{id:int}/world", WorldAsync)
            .WithSummary("A job's world size (its training processes) and each rank's latest images/s, from the run's per-rank events");
        runs.MapPost("/", StartTrainingAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Queue a training run");
        runs.MapPost("/{id:int}/cancel", CancelAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Cancel a queued or running job");
        runs.MapPost("/{id:int}/resume", ResumeAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Resume a cancelled or failed job from its newest checkpoint");
        runs.MapDelete("/{id:int}", DeleteAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Delete a job that is not running, with its run folder");
        api.MapPost("/searches", StartSearchAsync).WithTags("Runs").RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Queue a DARTS architecture search");
        api.MapPost("/evaluations", StartEvaluationAsync).WithTags("Runs").RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Queue an evaluation of a stored model");
    }

    private static async Task<IResult> ListAsync(IDbContextFactory<PortalDbContext> store, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        List<JobRecord> jobs = await db.Jobs.AsNoTracking().OrderByDescending(j => j.Id).ToListAsync(cancellation);
        return Results.Ok(jobs.Select(JobView.Of));
    }

    /// <summary>A page of the runs list, as the /runs page shows it.</summary>
    public sealed record RunSearchView(int Total, int Page, int PageCount, IReadOnlyList<JobView> Runs);

    private static async Task<IResult> SearchAsync(string? q, string? kind, string? state, string? tag, string? sort, bool? desc, int? page,
        [FromQuery(Name = "page_size")] int? pageSize, RunCatalog catalog, CancellationToken cancellation)
    {
        RunList list = await catalog.ListAsync(new RunListQuery
        {
            Text = q, Kind = Parse<JobKind>(kind, "kind"), State = Parse<JobState>(state, "state"), Tag = tag,
            Sort = Parse<RunSort>(sort, "sort") ?? RunSort.Id, Descending = desc ?? true,
            Page = page ?? 1, PageSize = pageSize ?? RunListQuery.DefaultPageSize,
        }, cancellation);
        return Results.Ok(new RunSearchView(list.Total, list.Query.Page, list.PageCount, list.Runs.Select(JobView.Of).ToList()));
    }

    // Query values are lowercase words (kind=training), matched whatever their case; anything else is a 400 naming the choices.
    private static T? Parse<T>(string? value, string name) where T : struct, Enum =>
        string.IsNullOrWhiteSpace(value) ? null
        : Enum.TryParse(value, ignoreCase: true, out T parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new ArgumentException($"{name} '{value}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    // A job this process runs shows its reporter's newest numbers, not the store's row of the last heartbeat.
    private static async Task<IResult> GetAsync(int id, IDbContextFactory<PortalDbContext> store, RunningJobs running, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Jobs.FindAsync([id], cancellation) is { } job ? Results.Ok(JobView.Of(job, running.Snapshot(job))) : NoJob(id);
    }

    private static async Task<IResult> EventsAsync(int id, long? after, IDbContextFactory<PortalDbContext> store, LiveJobs live, RunEvents events,
        CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        if (await db.Jobs.FindAsync([id], cancellation) is not { } job) return NoJob(id);
        if (job.RunFolder is null) return Results.Ok(RunEventsView.Of(id, new RunCurves(), 0));
        string path = Path.Combine(job.RunFolder, RunDirectory.EventsFile);
        if (after is { } cursor) return Results.Ok(RunEvents.Since(id, path, cursor));
        long next = RunEvents.Cursor(path);
        return Results.Ok(live.Get(id) is { } running ? RunEventsView.Of(running, next) : events.All(id, path));
    }

    private static async Task<IResult> WorldAsync(int id, IDbContextFactory<PortalDbContext> store, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Jobs.FindAsync([id], cancellation) is { } job ? Results.Ok(RunWorld.Of(job)) : NoJob(id);
    }

    private static async Task<IResult> StartTrainingAsync(TrainingRequest request, JobQueue queue, CancellationToken cancellation) =>
        Accepted(await queue.EnqueueTrainingAsync(request, cancellation));

    private static async Task<IResult> StartSearchAsync(SearchRequest request, JobQueue queue, CancellationToken cancellation) =>
        Accepted(await queue.EnqueueSearchAsync(request, cancellation));

    private static async Task<IResult> StartEvaluationAsync(EvaluationRequest request, JobQueue queue, CancellationToken cancellation) =>
        Accepted(await queue.EnqueueEvaluationAsync(request, cancellation));

    private static async Task<IResult> CancelAsync(int id, JobQueue queue, CancellationToken cancellation) =>
        await queue.CancelAsync(id, cancellation) ? Results.Accepted($"/api/runs/{id}") : NoJob(id);

    private static async Task<IResult> ResumeAsync(int id, JobQueue queue, CancellationToken cancellation) =>
        await queue.ResumeAsync(id, cancellation) ? Results.Accepted($"/api/runs/{id}") : NoJob(id);

    private static async Task<IResult> DeleteAsync(int id, JobQueue queue, CancellationToken cancellation) =>
        await queue.DeleteAsync(id, cancellation) ? Results.NoContent() : NoJob(id);

    private static IResult Accepted(JobRecord job) => Results.Accepted($"/api/runs/{job.Id}", JobView.Of(job));

    private static IResult NoJob(int id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: $"there is no job {id}");
}
