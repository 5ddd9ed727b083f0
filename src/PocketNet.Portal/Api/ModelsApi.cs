using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
        models.MapPost("/upload", UploadAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).DisableAntiforgery()
            .WithSummary("Upload an external ONNX face model (multipart: file, name)");
        models.MapDelete("/{id:int}", DeleteAsync).RequireAuthorization(PortalAuthentication.AdminPolicy).WithSummary("Delete a model and its results");
        api.MapGet("/architectures", () => Results.Ok(ModelCatalog.All().Select(m => new
        {
            m.Name, m.Description, Architecture = m.Config.Architecture.ToString(), m.Config.EmbeddingSize, m.Parameters, m.MegaFlops, m.IsTeacher,
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
        var buffer = new MemoryStream();
        ModelArchive.Write(buffer, model, model.Results);
        buffer.Position = 0;
        return Results.File(buffer, "application/zip", $"{model.Name}.zip");
    }

    private static async Task<IResult> OnnxAsync(int id, IDbContextFactory<PortalDbContext> store, CancellationToken cancellation)
    {
        if (await FindAsync(store, id, cancellation) is not { } model) return NoModel(id);
        string? path = model.Folder is null ? null : Path.Combine(model.Folder, ModelStore.OnnxFile);
        return path is not null && File.Exists(path)
            ? Results.File(path, "application/octet-stream", $"{model.Name}.onnx")
            : Results.Problem(statusCode: 404, title: "no ONNX file", detail: $"{model.DisplayName} has no ONNX export");
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, ModelStore store, PortalPaths paths, IOptions<PortalOptions> options, CancellationToken cancellation)
    {
        long limit = (long)options.Value.MaxUploadMegabytes * 1024 * 1024;
        if (request.ContentLength > limit + 64 * 1024) return TooLarge(request.ContentLength.Value, limit);
        if (!request.HasFormContentType) throw new ArgumentException("upload: send multipart/form-data with a 'file' field (the .onnx model) and a 'name' field");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellation);
        }
        // A body sent without a Content-Length is found too large only while it is read, by Kestrel's request limit
        // or the form reader's; both are set from Portal:MaxUploadMegabytes, so say that rather than their byte counts.
        catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                                      || (e is InvalidDataException && e.Message.Contains("body length limit", StringComparison.Ordinal)))
        {
            return TooLarge(null, limit);
        }
        IFormFile file = form.Files.GetFile("file") ?? throw new ArgumentException("upload: the 'file' field (the .onnx model) is missing");
        if (file.Length > limit) return TooLarge(file.Length, limit);
        if (file.Length == 0) throw new InvalidDataException($"upload: {file.FileName} is empty");
        if (!file.FileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"upload: {file.FileName} is not an .onnx file");
        string name = form["name"].ToString().Trim() is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(file.FileName);
        if (name.Length > 120) throw new ArgumentException("upload: the name is longer than 120 characters");
        // The browser's file name is never used as a path: the upload is stored under a fresh name.
        string temporary = Path.Combine(paths.Uploads, $"{Guid.NewGuid():N}.onnx");
        try
        {
            await using (FileStream target = File.Create(temporary)) await file.CopyToAsync(target, cancellation);
            ModelRecord model = await store.RegisterExternalAsync(temporary, name, move: true, cancellation);
            return Results.Created($"/api/models/{model.Id}", ModelView.Of(model));
        }
        catch (InvalidDataException e)
        {
            // The checks name the stored copy (a path under the portal's home); the uploader knows the file by its own
            // name, and the server's folders are none of their business.
            string message = e.Message.Replace(temporary, file.FileName, StringComparison.Ordinal)
                .Replace(Path.GetFileName(temporary), file.FileName, StringComparison.Ordinal);
            throw new InvalidDataException($"upload {file.FileName}: {message}", e);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static async Task<IResult> DeleteAsync(int id, ModelStore store, CancellationToken cancellation) =>
        await store.DeleteAsync(id, cancellation) ? Results.NoContent() : NoModel(id);

    private static async Task<ModelRecord?> FindAsync(IDbContextFactory<PortalDbContext> store, int id, CancellationToken cancellation)
    {
        await using PortalDbContext db = await store.CreateDbContextAsync(cancellation);
        return await db.Models.AsNoTracking().Include(m => m.Results).FirstOrDefaultAsync(m => m.Id == id, cancellation);
    }

    private static IResult TooLarge(long? size, long limit) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "upload too large", detail: size is long s
            ? string.Create(CultureInfo.InvariantCulture, $"the upload is {s / 1048576.0:F1} MiB; the limit is {limit / 1048576} MiB (Portal:MaxUploadMegabytes)")
            : $"the upload is larger than the limit of {limit / 1048576} MiB (Portal:MaxUploadMegabytes)");

    private static IResult NoModel(int id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: $"there is no model {id}");
}
