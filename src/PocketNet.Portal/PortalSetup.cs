using PocketNet.Portal.StaticAssets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PocketNet.Application;
using PocketNet.Application.Planning;
using PocketNet.Application.Training;
using PocketNet.Data.Registry;
using PocketNet.Portal.Api;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Components;
using PocketNet.Portal.Components.Runs;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Live;
using PocketNet.Portal.Store;

namespace PocketNet.Portal;

/// <summary>The portal's services and request pipeline, in one place so the tests host exactly what production hosts.</summary>
public static class PortalSetup
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<PortalOptions>().Bind(builder.Configuration.GetSection(PortalOptions.Section))
            .Validate(o => o.JobsPerDevice >= 1, "Portal:JobsPerDevice must be at least 1")
            .Validate(o => o.MaxUploadMegabytes >= 1, "Portal:MaxUploadMegabytes must be at least 1")
            .Validate(o => o.SignInAttemptsPerMinute >= 1 && o.ApiKeyFailuresAllowed >= 1, "Portal:SignInAttemptsPerMinute and Portal:ApiKeyFailuresAllowed must be at least 1")
            .Validate(o => o.ApiKeyRefillSeconds is > 0 and <= 86400, "Portal:ApiKeyRefillSeconds must lie in (0, 86400]")
            .Validate(o => o.Database is "sqlite" or "postgres", "Portal:Database must be sqlite or postgres")
            .Validate(o => o.OnnxRuntime is { IntraOpThreads: >= 0, InterOpThreads: >= 0 } && Enum.IsDefined(o.OnnxRuntime.OptimizationLevel)
                           && o.OnnxRuntime.ProfileOutputPrefix is not "",
                "Portal:OnnxRuntime: IntraOpThreads and InterOpThreads must be 0 (automatic) or more, OptimizationLevel All, Extended, Basic or Disabled, ProfileOutputPrefix a path or absent")
            .Validate(o => string.IsNullOrEmpty(o.AdminPassword) || SecretStrength.Weakness(o.AdminPassword) is null,
                $"Portal:AdminPassword is too weak: use at least {SecretStrength.MinLength} characters, {SecretStrength.MinDistinct} of them different, and no common password in it (or set none to have one generated)")
            .Validate(o => o.ApiKeys.All(k => k.Length == 0 || SecretStrength.Weakness(k) is null),
                $"a key of Portal:ApiKeys is too weak: use at least {SecretStrength.MinLength} characters, {SecretStrength.MinDistinct} of them different, and no common password in it")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(PortalOptions.Section).Get<PortalOptions>() ?? new PortalOptions();

        services.AddSingleton(new PortalPaths(options.ResolveHome()));
        services.AddSingleton(sp =>
        {
            PortalOptions o = sp.GetRequiredService<IOptions<PortalOptions>>().Value;
            return BenchmarkRegistry.Load(o.Registry, o.ResolveRoots());
        });
        services.AddDbContextFactory<PortalDbContext>((sp, db) => Configure(db, sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<PortalPaths>()));

        services.AddSingleton<TrainingSetCatalog>();
        services.AddSingleton<ITrainingSets>(sp => sp.GetRequiredService<TrainingSetCatalog>());
        // A web host runs no jobs: devices are its workers' (they resolve auto and check cuda:N when they run the job).
        services.AddSingleton(sp => PlanningHost.Portal(devicesHere: sp.GetRequiredService<IOptions<JobEngineOptions>>().Value.RunsJobs));
        services.AddPocketNetApplication();
        services.AddSingleton<ModelStore>();
        services.AddSingleton<ModelQueries>();
        services.AddSingleton<ModelZipImport>();
        services.AddSingleton<ModelUploads>();
        services.AddSingleton<Int8Models>();
        services.AddSingleton<RunEvents>();
        services.AddSingleton<Annotations.AnnotationService>();
        services.AddSingleton<Tracking.RunCatalog>();
        services.AddSingleton<LeaderboardService>();
        services.AddSingleton<PublishedResults>();
        services.AddSingleton<RandomBaseline>();
        // Start-up order matters: the store is migrated before the engine's workers start.
        services.AddHostedService<PortalInitializer>();
        builder.AddPortalJobs(options);

        services.AddPortalAuthentication();
        // Sign-in cookies stay valid across restarts: the keys that protect them live in the portal's home.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.ResolveHome(), "keys")));
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddStaticAssetCompression();
        services.AddSingleton<JobUpdateFeed>();
        services.AddHostedService<JobUpdatesBroadcaster>();
        services.AddOpenApi();
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Requests that do not bind (malformed JSON, a missing body, "desc=maybe") throw, so ApiExceptionHandler can
        // answer with a problem that names the field, instead of an empty 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        // Bodies are small everywhere; the upload endpoints raise their own limit once the admin is known (UploadBodyLimit).
        long uploadLimit = (long)options.MaxUploadMegabytes * 1024 * 1024 + 1024 * 1024;
        services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = uploadLimit);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = UploadBodyLimit.DefaultBytes);
        return builder;
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<JobEngineOptions>>().Value.ServesPages) return app.UseWorkerOnly();
        // A body over its limit, or a request Kestrel could not read, keeps its own status (413, 400) on pages too.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        // Bare API status codes get a problem body; an address no page serves gets the not-found page.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseStaticAssets();
        // Routing after the status-code pages, so a re-executed request finds the not-found page's endpoint.
        app.UseRouting();
        // Before authentication: a refused request costs no password check and no session lookup.
        app.UseMiddleware<CrossOriginWrites>();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi();
        RouteGroupBuilder api = app.MapGroup("/api");
        api.MapRunsApi();
        api.MapJobUpdatesApi();
        api.MapAnnotationsApi();
        api.MapModelsApi();
        api.MapModelImportApi();
        api.MapLeaderboardApi();
        api.MapDatasetsApi();
        api.MapRecipesApi();
        app.MapAccountEndpoints();
        app.MapUploadFormEndpoint();
        app.UsePortalJobs();
        // The Blazor script and Plotly.Blazor's files, from the build's static web assets manifest (precompressed, with ETags).
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static void Configure(DbContextOptionsBuilder db, PortalOptions options, PortalPaths paths)
    {
        if (options.Database == "postgres")
        {
            db.UseNpgsql(options.ConnectionString ?? throw new InvalidOperationException("Portal:Database is postgres but Portal:ConnectionString is empty"));
            return;
        }
        db.UseSqlite(options.ConnectionString ?? $"Data Source={Path.Combine(paths.Home, "portal.db")}");
    }
}
