using PocketNet.Application.Training;
using PocketNet.Data.Registry;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// What the datasets page and /api/datasets show: everything to the admin; to visitors the same states and counts
/// without the server's folders (benchmark paths relative to their root, no roots, no training-set paths, and no
/// reader errors, which name files).
/// </summary>
public sealed record DatasetsView(
    string Registry, BenchmarkRoots? Roots, IReadOnlyList<BenchmarkStatus> Benchmarks, IReadOnlyList<TrainingSetInfo> TrainingSets)
{
    public const string HiddenError = "the files could not be read (the admin sees why)";

    public static DatasetsView Build(BenchmarkRegistry registry, IReadOnlyList<BenchmarkStatus> statuses, IReadOnlyList<TrainingSetInfo> trainingSets, bool admin) =>
        admin
            ? new DatasetsView(registry.Source, registry.Roots, statuses, trainingSets)
            : new DatasetsView(Path.GetFileName(registry.Source), null,
                statuses.Select(s => s with { ResolvedPath = registry.Get(s.Name).Path, Error = s.Error is null ? null : HiddenError }).ToList(),
                trainingSets.Select(t => t with { Source = t.Source with { Path = "" } }).ToList());
}
