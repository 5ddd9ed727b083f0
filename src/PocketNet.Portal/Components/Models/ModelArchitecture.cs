using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Models;

/// <summary>
/// What a stored model is built of: its registry configuration (from <see cref="ModelRecord.ConfigJson"/>) and,
/// for cell networks, its genotype. Published PocketNet rows have neither stored, but their cells are the paper's
/// genotype. <see cref="Problem"/> says why a stored configuration or genotype could not be read.
/// </summary>
public sealed record ModelArchitecture(ModelConfig? Config, Genotype? Genotype, bool PaperGenotype, string? Problem)
{
    public static ModelArchitecture Of(ModelRecord model)
    {
        ModelConfig? config = null;
        try
        {
            if (model.ConfigJson is { Length: > 0 } json) config = JsonSerializer.Deserialize<ModelConfig>(json, StoreJson.Options);
        }
        catch (JsonException e)
        {
            return new ModelArchitecture(null, null, false, $"the stored configuration is not readable: {e.Message}");
        }
        try
        {
            if (model.Genotype is { Length: > 0 } text) return new ModelArchitecture(config, Genotype.Parse(text), false, null);
            if (config is { Architecture: Architecture.CellNetwork, Genotype: not null }) return new ModelArchitecture(config, config.ParsedGenotype(), false, null);
        }
        catch (FormatException e)
        {
            return new ModelArchitecture(config, null, false, $"the stored genotype is not readable: {e.Message}");
        }
        bool paperPocketNet = model.Origin == ModelOrigin.Published && model.Architecture.Equals("PocketNet", StringComparison.OrdinalIgnoreCase);
        return new ModelArchitecture(config, paperPocketNet ? Genotype.PocketNet : null, paperPocketNet, null);
    }
}
