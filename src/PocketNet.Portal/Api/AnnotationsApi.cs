using PocketNet.Portal.Annotations;
using PocketNet.Portal.Auth;

namespace PocketNet.Portal.Api;

/// <summary>The admin's tags and notes on runs and models.</summary>
public static class AnnotationsApi
{
    /// <summary>Tags as a list (each a short lowercase word) and free-text notes; both replace what was there.</summary>
    public sealed record AnnotationRequest(IReadOnlyList<string>? Tags, string? Notes);

    public static void MapAnnotationsApi(this IEndpointRouteBuilder api)
    {
        api.MapPut("/runs/{id:int}/annotations", AnnotateRunAsync).WithTags("Runs").RequireAuthorization(PortalAuthentication.AdminPolicy)
            .WithSummary("Replace a run's tags and notes");
        api.MapPut("/models/{id:int}/annotations", AnnotateModelAsync).WithTags("Models").RequireAuthorization(PortalAuthentication.AdminPolicy)
            .WithSummary("Replace a model's tags and notes");
    }

    private static async Task<IResult> AnnotateRunAsync(int id, AnnotationRequest request, AnnotationService annotations, CancellationToken cancellation) =>
        await annotations.AnnotateRunAsync(id, Join(request.Tags), request.Notes, cancellation)
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: $"there is no job {id}");

    private static async Task<IResult> AnnotateModelAsync(int id, AnnotationRequest request, AnnotationService annotations, CancellationToken cancellation) =>
        await annotations.AnnotateModelAsync(id, Join(request.Tags), request.Notes, cancellation)
            ? Results.NoContent()
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: $"there is no model {id}");

    // A tag holding a comma or a space would split into two: refused by the tag rules, so it is checked as typed.
    private static string? Join(IReadOnlyList<string>? tags)
    {
        if (tags is null) return null;
        if (tags.FirstOrDefault(t => t.Any(c => c is ',' or ' ' or '\t' or '\n' or '\r')) is { } bad)
            throw new ArgumentException($"tag '{bad}' holds a comma or a space: send each tag as its own string");
        return string.Join(",", tags);
    }
}
