using System.Globalization;
using PocketNet.Training.Recognition;

namespace PocketNet.Training.Recipes;

/// <summary>
/// Every way a run's options differ from the recipe it names, as sentences for run.json, config.json and the
/// model card: a result trained off the reference recipe says so wherever the result travels.
/// </summary>
public static class RecipeDeviations
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Of(TrainingOptions options)
    {
        TrainingRecipe recipe = options.Recipe;
        var found = new List<string>();
        void Differs<T>(string what, T ours, T theirs, string? why = null)
        {
            if (!EqualityComparer<T>.Default.Equals(ours, theirs))
                found.Add(string.Create(Invariant, $"{what}: {ours} (recipe {theirs}){(why is null ? "" : $"; {why}")}"));
        }

        Differs("epochs", options.Epochs, recipe.Epochs);
        if (!options.Milestones.SequenceEqual(recipe.Milestones))
            found.Add($"milestones: {Join(options.Milestones)} (recipe {Join(recipe.Milestones)}){(options.ScheduleNote is null ? "" : $"; {options.ScheduleNote}")}");
        Differs("gamma", options.Gamma, recipe.Gamma);
        Differs("warmup epochs", options.WarmupEpochs, recipe.WarmupEpochs);
        Differs("batch per process", options.BatchSize, recipe.BatchSize,
            string.Create(Invariant, $"the learning rate scales linearly: {options.EffectiveLearningRate:G4} per step instead of {recipe.LearningRate * recipe.BatchSize / TrainingOptions.ReferenceBatchSize:G4}"));
        Differs("learning rate at batch 512", options.LearningRate, recipe.LearningRate);
        if (options.Optimizer != TrainingOptimizer.Sgd)
            found.Add("optimizer: AdamW with decoupled weight decay (the recipe's is SGD with momentum); momentum unused, betas 0.9, 0.999");
        else Differs("momentum", options.Momentum, recipe.Momentum);
        Differs("weight decay", options.WeightDecay, recipe.WeightDecay);
        if (options.GradientClip != recipe.GradientClip)
            found.Add($"gradient clip: {Norm(options.GradientClip)} (recipe {Norm(recipe.GradientClip)})");
        Differs("scale s", options.Scale, recipe.Scale);
        Differs("margin m", options.EffectiveMargin, options.Mode == TrainingMode.CosFace ? recipe.CosFaceMargin : recipe.ArcFaceMargin);
        if (options.Distils) Differs("distillation weight", options.DistillationWeight, recipe.DistillationWeight);
        if (options.SampleRate is { } rate)
            found.Add(string.Create(Invariant, $"Partial FC: class centres sharded across the ranks, {rate:P0} of them per step (the reference trains the full head){(rate < 1 ? "" : "; at 1.0 the same loss and gradients")}"));
        if (options.Mode == TrainingMode.CosFace)
            found.Add("CosFace: the reference scripts train ArcFace heads only; CosFace (Wang et al. 2018, s = 64, m = 0.35) takes the rest of the recipe unchanged");
        else if (options.ClampArcFaceSine)
            found.Add("ArcFace sine: sqrt(max(0, 1 - cos^2)) where the reference takes sqrt(1 - cos^2), which is NaN once its clamp lets a cosine reach 1 + 1e-5 (identical otherwise)");
        return found;
    }

    private static string Join(IEnumerable<int> values) => values.Any() ? string.Join(",", values) : "none";

    private static string Norm(double? clip) => clip is double c ? c.ToString(Invariant) : "none";
}
