using Microsoft.AspNetCore.Http.Features;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// How large a request body may be. Everywhere the limit is <see cref="DefaultBytes"/> (forms and JSON requests are
/// small), so a large anonymous post is refused as soon as anything tries to read it, and its Content-Length alone
/// refuses it before a byte is read. Only the upload endpoints raise it, to Portal:MaxUploadMegabytes, and only once
/// their authorization has passed: endpoint filters run after the authorization middleware and before the handler
/// reads the form.
/// </summary>
public static class UploadBodyLimit
{
    public const long DefaultBytes = 1024 * 1024;

    /// <summary>Raises this endpoint's body limit to the upload limit for requests that reached its handler.</summary>
    public static RouteHandlerBuilder AcceptsUploads(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            HttpContext http = context.HttpContext;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = http.RequestServices.GetRequiredService<ModelUploads>().BodyLimit;
            return await next(context);
        });
}
