using System.Globalization;
using PocketNet.Application.Planning;
using PocketNet.Application.Training;
using PocketNet.Training.Options;
using PocketNet.Training.Recognition;
using PocketNet.Training.Recipes;

namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// The new-training-run form as posted. Checkboxes post as Benchmarks[NAME]=true (unchecked ones post nothing, and with none checked the
/// dictionary stays null);
/// <see cref="ToRequest"/> turns the form into the API's <see cref="TrainingRequest"/>, so both paths are
/// checked by the same <see cref="JobPlanner"/>.
/// </summary>
public sealed class NewRunInput
{
    /// <summary>The value of the model select that means "train the genotype below".</summary>
    public const string UseGenotype = "";

    public string? Name { get; set; }
    public string? Model { get; set; } = "pocketnet-s-128";
    public string? Genotype { get; set; }
    public int? Channels { get; set; } = 16;
    public int? Cells { get; set; } = 18;
    public int? EmbeddingSize { get; set; }
    public string Mode { get; set; } = "arcface";
    public string? TrainingSet { get; set; }
    public int? TeacherModelId { get; set; }
    public string Recipe { get; set; } = TrainingRecipe.DefaultName;
    public int Epochs { get; set; } = 1;
    public int BatchSize { get; set; } = 32;

    /// <summary>At batch 512; empty: the recipe's.</summary>
    public double? LearningRate { get; set; }

    /// <summary>sgd or adamw.</summary>
    public string Optimizer { get; set; } = "sgd";

    /// <summary>Empty: the recipe's.</summary>
    public double? WeightDecay { get; set; }

    /// <summary>Comma-separated epochs; empty: the recipe's schedule scaled to the run's length.</summary>
    public string? Milestones { get; set; }

    public string Device { get; set; } = "auto";

    /// <summary>Training processes on the worker's host (data-parallel ranks).</summary>
    public int Processes { get; set; } = 1;

    /// <summary>Empty: the queue named after the device.</summary>
    public string? Queue { get; set; }
    public int Seed { get; set; }
    public Dictionary<string, bool>? Benchmarks { get; set; }
    public Dictionary<string, bool>? Validation { get; set; }

    public bool UsesGenotype => string.IsNullOrWhiteSpace(Model);

    public TrainingRequest ToRequest()
    {
        bool genotype = UsesGenotype;
        TrainingMode mode = TrainingNames.Mode.Parse(Mode);
        if (genotype && string.IsNullOrWhiteSpace(Genotype))
            throw new ArgumentException("genotype: choose a registry model, or paste a genotype to train");
        return new TrainingRequest
        {
            Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(),
            Model = genotype ? null : Model!.Trim(),
            // Width and depth belong to a genotype network; a registry model has its own.
            Genotype = genotype ? Genotype!.Trim() : null,
            Channels = genotype ? Channels : null,
            Cells = genotype ? Cells : null,
            EmbeddingSize = EmbeddingSize,
            Mode = mode,
            TrainingSet = TrainingSet ?? "",
            TeacherModelId = mode is TrainingMode.Distillation or TrainingMode.MultiStepDistillation ? TeacherModelId : null,
            Recipe = Recipe,
            Epochs = Epochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            Optimizer = TrainingNames.Optimizer.Parse(Optimizer),
            WeightDecay = WeightDecay,
            Milestones = ParseMilestones(Milestones),
            Device = Device,
            Processes = Processes,
            Queue = string.IsNullOrWhiteSpace(Queue) ? null : Queue.Trim(),
            Seed = Seed,
            Benchmarks = Checked(Benchmarks),
            Validation = Checked(Validation),
        };
    }

    private static List<string> Checked(Dictionary<string, bool>? boxes) => (boxes ?? []).Where(b => b.Value).Select(b => b.Key).Order(StringComparer.Ordinal).ToList();

    private static List<int>? ParseMilestones(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var milestones = new List<int>();
        foreach (string part in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch < 1)
                throw new ArgumentException($"milestones: '{part}' is not an epoch number (write them as 8, 14, 20)");
            milestones.Add(epoch);
        }
        return milestones;
    }
}
