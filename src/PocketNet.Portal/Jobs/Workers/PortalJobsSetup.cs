using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using PocketNet.Portal.Auth;

namespace PocketNet.Portal.Jobs.Workers;

/// <summary>
/// Jobs on Hangfire: the engine's storage (SQLite in the portal's home by default, the portal's PostgreSQL database
/// in schema <see cref="PostgresSchema"/> for several hosts), this process's workers (one engine server per queue,
/// each with its concurrency) unless its role is web, our job services, and the engine's dashboard for the admin.
/// </summary>
public static class PortalJobsSetup
{
    public const string PostgresSchema = "hangfire";
    public const string DashboardPath = "/jobs/engine";

    public static WebApplicationBuilder AddPortalJobs(this WebApplicationBuilder builder, PortalOptions portal)
    {
        IServiceCollection services = builder.Services;
        IConfigurationSection section = builder.Configuration.GetSection(PortalOptions.Section);
        JobEngineOptions engine = section.Get<JobEngineOptions>() ?? new JobEngineOptions();
        if (engine.Validate() is { } error) throw new OptionsValidationException(PortalOptions.Section, typeof(JobEngineOptions), [error]);
        services.AddOptions<JobEngineOptions>().Bind(section);

        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<LiveJobs>();
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<JobExecutor>();
        services.AddSingleton<Distributed.TrainingProcesses>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<LiveQueues>();
        services.AddTransient<JobRunner>();

        // The storage is this host's own object, not Hangfire's global JobStorage.Current: the engine's client,
        // servers and dashboard all take it from the container (and tests host several portals in one process).
        // Likewise the activator: Hangfire's default is the global JobActivator.Current, which the last host to start
        // in a process sets, so jobs would be built from another host's container.
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<JobStorage>(sp => CreateStorage(sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<PortalPaths>(), engine));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(EngineLogProvider.Instance.Use(sp.GetRequiredService<ILoggerFactory>())));

        if (engine.RunsJobs)
        {
            services.AddHostedService<WorkerHomeMark>();
            foreach (WorkerQueueOption queue in engine.ResolveQueues(portal.JobsPerDevice))
                services.AddHangfireServer((sp, server) =>
                {
                    server.ServerName = $"{sp.GetRequiredService<WorkerIdentity>().Name}:{queue.Name}";
                    server.Queues = [queue.Name];
                    server.WorkerCount = queue.Concurrency!.Value;
                    server.HeartbeatInterval = engine.ServerHeartbeat;
                    server.ServerCheckInterval = engine.ServerHeartbeat;
                    server.ServerTimeout = 3 * engine.ServerHeartbeat;
                    // A stopping process tells its jobs at once, and gives each 15 s to stop after its current step and
                    // go back to the queue (it resumes at the next start or on another worker).
                    server.StopTimeout = TimeSpan.Zero;
                    server.ShutdownTimeout = TimeSpan.FromSeconds(15);
                });
        }
        return builder;
    }

    private static JobStorage CreateStorage(PortalOptions portal, PortalPaths paths, JobEngineOptions engine)
    {
        TimeSpan invisibility = TimeSpan.FromSeconds(engine.InvisibilitySeconds);
        if (portal.Database == "postgres")
        {
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = PostgresSchema,
                // PortalInitializer installs the schema, under the same lock as the store's migrations.
                PrepareSchemaIfNecessary = false,
                InvisibilityTimeout = invisibility,
                // A job's fetch is renewed while its worker lives: only a dead worker's job becomes visible again.
                UseSlidingInvisibilityTimeout = true,
                QueuePollInterval = TimeSpan.FromMilliseconds(500),
            };
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(portal.ConnectionString!, options), options);
        }
        return new SQLiteStorage(Path.Combine(paths.Home, "hangfire.db"), new SQLiteStorageOptions
        {
            InvisibilityTimeout = invisibility,
            QueuePollInterval = TimeSpan.FromMilliseconds(500),
        });
    }

    /// <summary>The engine's dashboard (admin only) and the list of queues live workers serve.</summary>
    public static WebApplication UsePortalJobs(this WebApplication app)
    {
        // No dashboard filters of its own: the admin policy decides (anonymous visitors get the login page).
        app.MapHangfireDashboardWithAuthorizationPolicy(PortalAuthentication.AdminPolicy, DashboardPath,
            new DashboardOptions { Authorization = [], AppPath = "/", DashboardTitle = "PocketNet jobs engine" });
        app.MapGet("/api/queues", (LiveQueues queues) => Results.Ok(queues.Read()))
            .WithTags("Runs").WithSummary("Queues that live workers serve, with their workers and concurrency");
        return app;
    }

    /// <summary>A worker serves no pages: only a health answer naming itself and its queues.</summary>
    public static WebApplication UseWorkerOnly(this WebApplication app)
    {
        app.MapGet("/health", (WorkerIdentity worker, IOptions<JobEngineOptions> engine, IOptions<PortalOptions> portal) =>
            Results.Ok(new { worker = worker.Name, role = engine.Value.Role, queues = engine.Value.ResolveQueues(portal.Value.JobsPerDevice) }));
        return app;
    }
}
