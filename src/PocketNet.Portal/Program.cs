using PocketNet.Portal;

// PocketNet Portal: `./run.sh` starts it on http://127.0.0.1:5000 (localhost only unless --urls says otherwise).
WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // appsettings.json is copied next to the binary; reading it from there, not from the working directory, is what
    // makes Portal:ApiKeys, AllowedHosts and the log levels written in it count however the portal is started
    // (./run.sh starts it from the repository's root). WebApplicationFactory passes its own content root.
    ContentRootPath = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
    // The repository's top-level wwwroot/ is copied next to the binary at build time.
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
// The framework's and packages' static files (blazor.web.js, Plotly.Blazor's scripts) are found through the build's
// manifest in every environment, not only in Development: ./run.sh runs the build output, not a published folder.
builder.WebHost.UseStaticWebAssets();
builder.AddPortal();
WebApplication app = builder.Build();
app.UsePortal();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
