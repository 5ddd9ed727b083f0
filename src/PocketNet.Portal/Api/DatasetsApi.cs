using PocketNet.Data.Registry;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Catalog;

namespace PocketNet.Portal.Api;

/// <summary>/api/datasets: the benchmark registry with each entry's status, and the training sets the portal offers.</summary>
public static class DatasetsApi
{
    public static void MapDatasetsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/datasets", (HttpContext context, BenchmarkRegistry registry, TrainingSetCatalog trainingSets, bool? open) =>
                Results.Ok(DatasetsView.Build(registry, registry.Benchmarks.Select(b => registry.Check(b, openData: open ?? false)).ToList(),
                    trainingSets.All(), context.User.IsAdmin())))
            .WithTags("Datasets")
            .WithSummary("Benchmarks with their status (open=true also reads the files and counts them) and training sets; the server's paths only for the admin");
    }
}
