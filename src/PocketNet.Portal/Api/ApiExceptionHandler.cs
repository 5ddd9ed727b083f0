using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using PocketNet.Portal.Jobs;

namespace PocketNet.Portal.Api;

/// <summary>
/// Turns the errors a request can cause into problem responses that say what was wrong: a bad option (400), a
/// bad file (400), a command that does not fit a job's state (409). Anything else is the portal's fault (500).
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (!context.Request.Path.StartsWithSegments("/api")) return false;
        (int status, string title) = exception switch
        {
            JobConflictException => (StatusCodes.Status409Conflict, "the job's state does not allow this"),
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
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = exception.Message },
        });
    }
}
