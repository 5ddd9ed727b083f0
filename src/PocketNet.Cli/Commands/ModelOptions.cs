using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;

namespace PocketNet.Cli.Commands;

/// <summary>
/// How verbs name a network: <c>--model NAME [--embedding E]</c> for a registry network, or
/// <c>--genotype "Genotype(...)"|FILE --channels C --cells N --embedding E</c> for any genotype.
/// </summary>
public static class ModelOptions
{
    /// <summary>--model or --genotype (a genotype's text, or a file holding it), for a request that the planner resolves.</summary>
    public static (string? Model, string? Genotype) ReadNames(Arguments arguments)
    {
        string? model = arguments.Optional("model");
        string? genotype = arguments.Optional("genotype");
        if (genotype is not null && model is not null) throw new ArgumentException($"{arguments.Verb}: give --model or --genotype, not both");
        if (genotype is null && model is null) throw new ArgumentException($"{arguments.Verb}: --model NAME is required (see `pocketnet models`), or --genotype");
        return (model, genotype is not null && File.Exists(genotype) ? File.ReadAllText(genotype).Trim() : genotype);
    }

    public static ModelConfig Read(Arguments arguments)
    {
        string? model = arguments.Optional("model");
        string? genotype = arguments.Optional("genotype");
        int? embedding = arguments.OptionalInt("embedding");
        int? channels = arguments.OptionalInt("channels");
        int? cells = arguments.OptionalInt("cells");
        if (genotype is not null)
        {
            if (model is not null) throw new ArgumentException($"{arguments.Verb}: give --model or --genotype, not both");
            string text = File.Exists(genotype) ? File.ReadAllText(genotype).Trim() : genotype;
            return ModelRegistry.ForGenotype(Genotype.Parse(text), channels ?? 16, cells ?? 18, embedding ?? 128);
        }
        if (model is null) throw new ArgumentException($"{arguments.Verb}: --model NAME is required (see `pocketnet models`), or --genotype");
        if (channels is not null || cells is not null) throw new ArgumentException($"{arguments.Verb}: --channels and --cells apply to --genotype only");
        return ModelRegistry.Resolve(model, embedding);
    }
}
