using Microsoft.Extensions.DependencyInjection;
using PocketNet.Application.Planning;
using PocketNet.Application.Training;
using PocketNet.Data.Registry;

namespace PocketNet.Application;

/// <summary>The application layer's services, registered by the layer itself (a host adds its own on top).</summary>
public static class ApplicationServices
{
    /// <summary>
    /// Registers the request planner. The host must register its <see cref="ITrainingSets"/> (the training sets it offers),
    /// its <see cref="BenchmarkRegistry"/> and its <see cref="PlanningHost"/>.
    /// </summary>
    public static IServiceCollection AddPocketNetApplication(this IServiceCollection services)
    {
        services.AddSingleton(sp => new JobPlanner(sp.GetRequiredService<ITrainingSets>(), sp.GetRequiredService<BenchmarkRegistry>(), sp.GetRequiredService<PlanningHost>()));
        return services;
    }
}
