using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Models;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Downloads;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Api;

/// <summary>/api/models and /api/architectures: stored models, their zips and ONNX files, uploads of external models.</summary>
public static class ModelsApi
{
    public static void MapModelsApi(this IEndpointRouteBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models");
        models.MapGet("/", ListAsync).WithSummary("Every stored model with its results");
        models.MapGet("/{id:int}", GetAsync).WithSummary("One model with its results");
        models.MapGet("/{id:int}/zip", ZipAsync).WithSummary("The model as a zip: weights, config, ONNX, results, model card, checksums");
        models.MapGet("/{id:int}/onnx", OnnxAsync).WithSummary("The model's ONNX file (used by the in-browser comparison)");
        // No antiforgery token on the API: scripts post here; a browser page of another site is refused by CrossOriginWrites.
        models.MapPost("/upload", UploadAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).DisableAntiforgery().AcceptsUploads()
            .WithSummary("Upload an external ONNX face model (multipart: file, name)");
        models.MapDelete("/{id:int}", DeleteAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Delete a model and its results");
        api.MapGet("/architectures", () => Results.Ok(ModelCatalog.All().Select(m => new
        {
            m.Name, m.Description, Architecture = m.Config.Architecture.ToString(), m.Config.EmbeddingSize, m.Parameters, m.MegaFlops, m.MegaMacs, m.IsTeacher,
        }))).WithTags("Models").WithSummary("Networks of the registry with parameters and MFLOPs");
    }

    private static async Task<IResult> ListAsync(IDbContextFactory<PortalDbContext> store, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        var models = await db.Models.AsNoTracking().Include(m => m.Results).OrderBy(m => m.Id).ToListAsync(cancellation);
        return Results.Ok(models.Select(ModelView.Of));
    }

    private static async Task<IResult> GetAsync(int id, IDbContextFactory<PortalDbContext> store, CancellationToken cancellation) =>
        await FindAsync(store, id, cancellation) is { } model ? Results.Ok(ModelView.Of(model)) : NoModel(id);

    private static async Task<IResult> ZipAsync(int id, IDbContextFactory<PortalDbContext> store, CancellationToken cancellation)
    {
        if (await FindAsync(store, id, cancellation) is not { } model) return NoModel(id);
        if (model.Folder is null) return Results.Problem(statusCode: 404, title: "no files", detail: $"{model.DisplayName} is a published reference row without weights");
        // Streamed: a download costs a chunk of memory, not the model's size (and its length is not known ahead).
        return Results.Stream(body => ModelArchive.WriteAsync(body, model, model.Results, cancellation), "application/zip", $"{model.Name}.zip");
    }

    private static async Task<IResult> OnnxAsync(int id, IDbContextFactory<PortalDbContext> store, CancellationToken cancellation)
    {
        if (await FindAsync(store, id, cancellation) is not { } model) return NoModel(id);
        string? path = model.Folder is null ? null : new ModelFolder(model.Folder).Onnx;
        return path is not null && File.Exists(path)
            ? Results.File(path, "application/octet-stream", $"{model.Name}.onnx")
            : Results.Problem(statusCode: 404, title: "no ONNX file", detail: $"{model.DisplayName} has no ONNX export");
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, ModelUploads uploads, CancellationToken cancellation)
    {
        ModelRecord model = await uploads.ReceiveAsync(request, cancellation);
        return Results.Created($"/api/models/{model.Id}", ModelView.Of(model));
    }

    private static async Task<IResult> DeleteAsync(int id, ModelStore store, CancellationToken cancellation) =>
        await store.DeleteAsync(id, cancellation) ? Results.NoContent() : NoModel(id);

    private static async Task<ModelRecord?> FindAsync(IDbContextFactory<PortalDbContext> store, int id, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Models.AsNoTracking().Include(m => m.Results).FirstOrDefaultAsync(m => m.Id == id, cancellation);
    }

    private static IResult NoModel(int id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: $"there is no model {id}");
}
