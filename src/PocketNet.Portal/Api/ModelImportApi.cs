using PocketNet.Portal.Auth;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Api;

/// <summary>POST /api/models/import: a model zip as the portal writes them (admin only).</summary>
public static class ModelImportApi
{
    public static void MapModelImportApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/models/import", ImportAsync).WithTags("Models").RequireAuthorization(PortalAuthentication.AdminPolicy).DisableAntiforgery().AcceptsUploads()
            .WithSummary("Import a model zip (multipart: file, name): weights.safetensors + config.json, checked against SHA256SUMS when present");
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, ModelUploads uploads, CancellationToken cancellation)
    {
        ModelRecord model = await uploads.ReceiveZipAsync(request, cancellation);
        return Results.Created($"/api/models/{model.Id}", ModelView.Of(model));
    }
}
