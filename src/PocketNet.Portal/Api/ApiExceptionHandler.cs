using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Api;

/// <summary>
/// Turns the errors a request can cause into problem responses that say what was wrong: a request that does not
/// bind (malformed JSON, a missing body: 400, or the status Kestrel gave it), a bad option (400), a bad file (400), an
/// upload over the limit (413), a command that does not fit the state of its job or model (409). Anything else is the portal's fault (500).
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (!context.Request.Path.StartsWithSegments("/api")) return false;
        (int status, string title) = exception switch
        {
            UploadTooLargeException => (StatusCodes.Status413PayloadTooLarge, "upload too large"),
            ConflictException => (StatusCodes.Status409Conflict, "the current state does not allow this"),
            BadHttpRequestException bad => (bad.StatusCode, "invalid request"),
            ArgumentException => (StatusCodes.Status400BadRequest, "invalid request"),
            InvalidDataException or Torch.Serialization.CheckpointFormatException => (StatusCodes.Status400BadRequest, "invalid file"),
            FileNotFoundException or DirectoryNotFoundException => (StatusCodes.Status400BadRequest, "missing file"),
            _ => (0, ""),
        };
        if (status == 0) return false;
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = Describe(exception) },
        });
    }

    // A body that does not bind says only "failed to read parameter ... as JSON": the JSON reader's own message names
    // the property (Path: $.epochs) or the missing required ones. An ArgumentException's message may end in
    // " (Parameter 'text')", a name from our code that means nothing to the caller.
    private static string Describe(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: System.Text.Json.JsonException json } => $"{exception.Message.TrimEnd('.')}: {json.Message}",
        ArgumentException => ParameterSuffix().Replace(exception.Message, ""),
        _ => exception.Message,
    };

    [System.Text.RegularExpressions.GeneratedRegex(@" \(Parameter '[^']*'\)$")]
    private static partial System.Text.RegularExpressions.Regex ParameterSuffix();
}
