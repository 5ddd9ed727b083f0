using System.Collections.Concurrent;
using PocketNet.Models.Complexity;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Application.Models;

/// <summary>The registry's networks with their measured sizes (built once per configuration, then cached).</summary>
public static class ModelCatalog
{
    private static readonly ConcurrentDictionary<string, (long Parameters, NetworkCost Cost)> Sizes = new();

    public static IReadOnlyList<ModelSummary> All() =>
        ModelRegistry.Entries.Select(e => Summarise(e.Name, e.Description, e.Config, e.IsTeacher)).ToList();

    public static ModelSummary Summarise(string name, string description, ModelConfig config, bool isTeacher = false)
    {
        var (parameters, cost) = Sizes.GetOrAdd(System.Text.Json.JsonSerializer.Serialize(config), _ => Measure(config));
        return new ModelSummary(name, description, config, parameters, cost.Flops, isTeacher) { Macs = cost.Macs };
    }

    private static (long, NetworkCost) Measure(ModelConfig config)
    {
        using Module<Tensor, Tensor> network = ModelRegistry.Create(config);
        return (network.ParameterCount(), FlopCounter.Measure(network));
    }
}
