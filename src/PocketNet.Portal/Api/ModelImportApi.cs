using Microsoft.Extensions.Options;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Api;

/// <summary>POST /api/models/import: a model zip as the portal writes them (admin only).</summary>
public static class ModelImportApi
{
    public static void MapModelImportApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/models/import", ImportAsync).WithTags("Models").RequireAuthorization(PortalAuthentication.AdminPolicy).DisableAntiforgery()
            .WithSummary("Import a model zip (multipart: file, name): weights.safetensors + config.json, checked against SHA256SUMS when present");
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, ModelZipImport import, PortalPaths paths, IOptions<PortalOptions> options, CancellationToken cancellation)
    {
        long limit = (long)options.Value.MaxUploadMegabytes * 1024 * 1024;
        if (!request.HasFormContentType) throw new ArgumentException("import: send multipart/form-data with a 'file' field (the model zip) and a 'name' field");
        IFormCollection form = await request.ReadFormAsync(cancellation);
        IFormFile file = form.Files.GetFile("file") ?? throw new ArgumentException("import: the 'file' field (the model zip) is missing");
        if (file.Length > limit)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "upload too large",
                detail: $"{file.FileName} is {file.Length / 1048576.0:F1} MiB; the limit is {limit / 1048576} MiB (Portal:MaxUploadMegabytes)");
        if (!file.FileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"import: {file.FileName} is not a .zip file");
        string name = form["name"].ToString().Trim() is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(file.FileName);
        if (name.Length > 120) throw new ArgumentException("import: the name is longer than 120 characters");
        // Stored under a fresh name: the browser's file name never becomes a path.
        string temporary = Path.Combine(paths.Uploads, $"{Guid.NewGuid():N}.zip");
        try
        {
            await using (FileStream target = File.Create(temporary)) await file.CopyToAsync(target, cancellation);
            ModelRecord model = import.Import(temporary, name, maxEntryBytes: limit);
            return Results.Created($"/api/models/{model.Id}", ModelView.Of(model));
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
