using PocketNet.Portal;

// PocketNet Portal: `./run.sh` starts it on http://127.0.0.1:5000 (localhost only unless --urls says otherwise).
WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The repository's top-level wwwroot/ is copied next to the binary at build time.
    WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
builder.AddPortal();
WebApplication app = builder.Build();
app.UsePortal();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
