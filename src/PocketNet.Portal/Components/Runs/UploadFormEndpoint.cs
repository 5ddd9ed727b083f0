using Microsoft.AspNetCore.Antiforgery;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// Where the dashboard's upload form posts (a browser form, not the JSON API): admin only, antiforgery-checked,
/// the same checks as POST /api/models/upload (<see cref="ModelUploads"/>). Success goes to the new model's page;
/// a refusal goes back to the dashboard with the reason in ?uploadError=, shown next to the form.
/// </summary>
public static class UploadFormEndpoint
{
    public const string Path = "models/upload-form";
    public const string ErrorParameter = "uploadError";

    public static void MapUploadFormEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + Path, UploadAsync)
            .RequireAuthorization(PortalAuthentication.AdminPolicy)
            // Validated below instead: the form is read by hand, so the automatic check would not run.
            .DisableAntiforgery()
            .AcceptsUploads()
            .ExcludeFromDescription();
    }

    private static async Task<IResult> UploadAsync(HttpContext context, IAntiforgery antiforgery, ModelUploads uploads, CancellationToken cancellation)
    {
        try
        {
            uploads.CheckDeclaredLength(context.Request);
            if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
                return BackWithError("the form's security token is missing or stale: reload the dashboard and upload again");
            ModelRecord model = await uploads.ReceiveAsync(context.Request, cancellation);
            return TypedResults.LocalRedirect($"~/models/{model.Id}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or UploadTooLargeException or BadHttpRequestException)
        {
            return BackWithError(e.Message);
        }
    }

    private static IResult BackWithError(string message) =>
        TypedResults.LocalRedirect($"~/?{ErrorParameter}={Uri.EscapeDataString(message)}#upload-form");
}
