using PocketNet.Data.Registry;
using PocketNet.Portal.Catalog;

namespace PocketNet.Portal.Api;

/// <summary>/api/datasets: the benchmark registry with each entry's status, and the training sets the portal offers.</summary>
public static class DatasetsApi
{
    public static void MapDatasetsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/datasets", (BenchmarkRegistry registry, TrainingSetCatalog trainingSets, bool? open) => Results.Ok(new
        {
            Registry = registry.Source,
            registry.Roots,
            Benchmarks = registry.Benchmarks.Select(b => registry.Check(b, openData: open ?? false)),
            TrainingSets = trainingSets.All(),
        })).WithTags("Datasets").WithSummary("Benchmarks with their status (open=true also reads the files and counts them) and training sets");
    }
}
