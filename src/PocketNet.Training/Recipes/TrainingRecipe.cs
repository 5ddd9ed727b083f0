using System.Reflection;
using System.Text.Json;
using PocketNet.Training.Progress;

namespace PocketNet.Training.Recipes;

/// <summary>
/// A training preset of the official PocketNet scripts for one training set, as data: the schedule (epochs,
/// milestones, warmup), the optimiser (learning rate per 512 images, momentum, weight decay, gradient clip),
/// the margin heads and the distillation weight. The built-in recipes (<c>ms1mv2</c>, <c>casia-webface</c>)
/// are JSON files embedded in this assembly; a recipe file of one's own is read the same way.
/// </summary>
public sealed record TrainingRecipe
{
    public const string DefaultName = "ms1mv2";

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Where the values come from (files of the reference repository).</summary>
    public string Source { get; init; } = "";

    /// <summary>The training set the schedule was made for, and its size as the reference's config states it.</summary>
    public string? TrainingSet { get; init; }
    public int? Identities { get; init; }
    public long? Images { get; init; }

    public int Epochs { get; init; } = 26;

    /// <summary>Epochs (from 1) from which the learning rate is multiplied by <see cref="Gamma"/> once more.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = [8, 14, 20, 25];

    public double Gamma { get; init; } = 0.1;

    /// <summary>Epochs of the reference's quadratic warmup ((e + 1) / (warmup + 1))²; 0 in every reference config.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Learning rate at a global batch of 512, scaled linearly with the batch.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Images per process and step (the reference's cfg.batch_size, 128 on each of 4 GPUs).</summary>
    public int BatchSize { get; init; } = 128;

    public double Momentum { get; init; } = 0.9;

    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Maximum L2 norm of the backbone's gradient; every reference training script clips at 5.</summary>
    public double? GradientClip { get; init; } = 5;

    public double Scale { get; init; } = 64;

    public double ArcFaceMargin { get; init; } = 0.5;

    public double CosFaceMargin { get; init; } = 0.35;

    public double DistillationWeight { get; init; } = 100;

    /// <summary>Pair sets the reference checks during training (its cfg.val_targets).</summary>
    public IReadOnlyList<string> Validation { get; init; } = [];

    private static readonly Lazy<IReadOnlyList<TrainingRecipe>> Embedded = new(LoadEmbedded);

    /// <summary>The recipes that ship with the portal, by name.</summary>
    public static IReadOnlyList<TrainingRecipe> BuiltIn => Embedded.Value;

    public static TrainingRecipe Default => Find(DefaultName);

    /// <summary>A built-in recipe by name.</summary>
    public static TrainingRecipe Find(string name) =>
        BuiltIn.FirstOrDefault(r => string.Equals(r.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"recipe: '{name}' is not one of {string.Join(", ", BuiltIn.Select(r => r.Name))} (or a path to a recipe .json file)");

    /// <summary>A built-in recipe by name, or a recipe file (a path ending in .json).</summary>
    public static TrainingRecipe Resolve(string nameOrPath) =>
        nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Load(nameOrPath) : Find(nameOrPath);

    /// <summary>Reads and checks a recipe file; errors name the file.</summary>
    public static TrainingRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"recipe file {path} does not exist", path);
        var info = new FileInfo(path);
        if (info.Length > 64 * 1024) throw new InvalidDataException($"{path}: a recipe file is a few hundred bytes, not {info.Length} bytes");
        using FileStream stream = info.OpenRead();
        return Parse(stream, path);
    }

    /// <summary>How the schedule reads for a run of <paramref name="epochs"/> epochs (see <see cref="ScheduleScaling"/>).</summary>
    public ScheduleScaling ScheduleFor(int epochs) => ScheduleScaling.Of(this, epochs);

    /// <summary>Rejects values no training could run with; the message names the recipe and the field.</summary>
    public void Validate(string source)
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new InvalidDataException($"{source}: {what}");
        }
        Check(!string.IsNullOrWhiteSpace(Name) && Name.Length <= 64, "name must be 1 to 64 characters");
        Check(Epochs is >= 1 and <= 1000, $"epochs {Epochs} is outside 1..1000");
        Check(Milestones.Count <= 32 && Milestones.All(m => m >= 1 && m <= Epochs), $"milestones must lie in 1..{Epochs} (epochs counted from 1)");
        Check(Milestones.SequenceEqual(Milestones.Order()), "milestones must be ascending");
        Check(Gamma is > 0 and <= 1, $"gamma {Gamma} is outside (0, 1]");
        Check(WarmupEpochs >= 0 && WarmupEpochs < Epochs, $"warmup epochs {WarmupEpochs} is outside 0..{Epochs - 1}");
        Check(LearningRate is > 0 and < 10, $"learning rate {LearningRate} is outside (0, 10)");
        Check(BatchSize is >= 2 and <= 4096, $"batch size {BatchSize} is outside 2..4096");
        Check(Momentum is >= 0 and < 1, $"momentum {Momentum} is outside [0, 1)");
        Check(WeightDecay is >= 0 and < 1, $"weight decay {WeightDecay} is outside [0, 1)");
        Check(GradientClip is null or > 0, $"gradient clip {GradientClip} must be positive (or null: none)");
        Check(Scale > 0 && ArcFaceMargin >= 0 && CosFaceMargin >= 0, "scale must be positive and margins non-negative");
        Check(DistillationWeight >= 0, "distillation weight must be non-negative");
    }

    private static TrainingRecipe Parse(Stream json, string source)
    {
        TrainingRecipe? recipe;
        try
        {
            recipe = JsonSerializer.Deserialize<TrainingRecipe>(json, EventLog.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a recipe ({e.Message})", e);
        }
        if (recipe is null) throw new InvalidDataException($"{source}: empty recipe");
        recipe.Validate(source);
        return recipe;
    }

    private static IReadOnlyList<TrainingRecipe> LoadEmbedded()
    {
        Assembly assembly = typeof(TrainingRecipe).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("recipes/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using Stream stream = assembly.GetManifestResourceStream(n)!;
                return Parse(stream, n);
            })
            .ToList();
    }
}
