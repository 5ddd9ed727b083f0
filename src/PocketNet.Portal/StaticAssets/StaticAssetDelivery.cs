using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace PocketNet.Portal.StaticAssets;

/// <summary>
/// How the browser gets the portal's static files: compressed (Brotli, else gzip) and cached. Only static files are
/// compressed: pages carry antiforgery tokens, and compressing secrets beside attacker-chosen text is what BREACH exploits. The third-party libraries under lib/ (fixed versions
/// the setup script fetches) are cached for a day; the portal's own css/ and js/ are revalidated on every load (a
/// 304 when unchanged), so a new build is seen at once.
/// </summary>
public static class StaticAssetDelivery
{
    private static readonly string[] CompressedTypes =
        ["text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/wasm", "application/json"];

    public static IServiceCollection AddStaticAssetCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true; // static files only (see UseStaticAssets), so no secret is compressed
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = CompressedTypes;
        });
        // Files are compressed per request (plotly.js: about 0.4 s in Brotli, 0.2 s in gzip at these levels, measured on
        // the 2-core machine); a day in the browser's cache makes that rare, and the fastest levels would send 1.9 MB.
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        return services;
    }

    public static WebApplication UseStaticAssets(this WebApplication app)
    {
        app.UseWhen(context => IsStaticAsset(context.Request.Path), assets => assets.UseResponseCompression());
        app.UseStaticFiles(new StaticFileOptions
        {
            // Our own files only: the framework's and packages' assets (_framework/, _content/) are MapStaticAssets' to
            // serve, precompressed at build time.
            FileProvider = new PhysicalFileProvider(app.Environment.WebRootPath),
            ContentTypeProvider = ContentTypes(),
            OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] =
                context.Context.Request.Path.StartsWithSegments("/lib") ? "public, max-age=86400" : "no-cache",
        });
        return app;
    }

    private static bool IsStaticAsset(PathString path) =>
        path.StartsWithSegments("/lib") || path.StartsWithSegments("/css") || path.StartsWithSegments("/js") || path.Value is "/favicon.svg";

    private static FileExtensionContentTypeProvider ContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".mjs"] = "text/javascript";
        provider.Mappings[".wasm"] = "application/wasm";
        return provider;
    }
}
