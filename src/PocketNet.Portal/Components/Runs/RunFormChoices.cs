using Microsoft.EntityFrameworkCore;
using PocketNet.Application.Training;
using PocketNet.Data.Registry;
using PocketNet.Models.Registry;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Store;
using PocketNet.Torch;

namespace PocketNet.Portal.Components.Runs;

/// <summary>A stored model as the forms offer it (teacher, model to evaluate).</summary>
public sealed record StoredModelChoice(int Id, string DisplayName, ModelOrigin Origin, int EmbeddingSize, long Parameters, bool SyntheticTraining, bool HasRun);

/// <summary>
/// What the dashboard's forms let the admin choose from: registry networks, training sets (with presence),
/// benchmarks that are ready (files present), stored models, the devices of this host and the queues live workers serve. Loaded once per
/// request and shared by the forms.
/// </summary>
public sealed record RunFormChoices(
    IReadOnlyList<ModelEntry> Networks,
    IReadOnlyList<TrainingSetInfo> TrainingSets,
    IReadOnlyList<BenchmarkEntry> ReadyBenchmarks,
    int UnavailableBenchmarks,
    IReadOnlyList<StoredModelChoice> Teachers,
    IReadOnlyList<StoredModelChoice> Evaluable,
    IReadOnlyList<string> Devices,
    IReadOnlyList<string> Queues)
{
    /// <summary>Pair sets among the ready benchmarks: the only ones a training run can check as it goes.</summary>
    public IEnumerable<BenchmarkEntry> ValidationSets => ReadyBenchmarks.Where(b => b.Protocol == BenchmarkProtocol.Pairs);

    public string? DefaultTrainingSet => (TrainingSets.FirstOrDefault(s => s.Present) ?? TrainingSets.FirstOrDefault())?.Name;

    public static async Task<RunFormChoices> LoadAsync(Catalog.ModelQueries models, BenchmarkRegistry registry, TrainingSetCatalog trainingSets, IReadOnlyList<string> queues)
    {
        // Presence only: opening every benchmark (IJB-C's metadata alone takes seconds) is the datasets page's job.
        List<BenchmarkEntry> ready = registry.Benchmarks.Where(b => registry.Check(b, openData: false).IsReady).ToList();
        var stored = await models.FormChoicesAsync();
        List<StoredModelChoice> choices = stored.Select(m => m.Choice).ToList();
        // A teacher must be a network this portal can run in libtorch: trained here or imported with its config.
        var teacherIds = stored.Where(m => m.HasConfig && m.Choice.Origin is ModelOrigin.Trained or ModelOrigin.Imported).Select(m => m.Choice.Id).ToHashSet();
        return new RunFormChoices(
            ModelRegistry.Entries,
            trainingSets.All(),
            ready,
            registry.Benchmarks.Count - ready.Count,
            choices.Where(c => teacherIds.Contains(c.Id)).ToList(),
            choices,
            HostDevices(),
            queues);
    }

    private static List<string> HostDevices()
    {
        var devices = new List<string> { "auto", "cpu" };
        for (int i = 0; i < Engine.CudaDeviceCount; i++) devices.Add($"cuda:{i}");
        return devices;
    }
}
