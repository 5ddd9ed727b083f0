namespace PocketNet.Training.Recipes;

/// <summary>
/// A recipe's learning-rate milestones for a run of another length, and the sentence that says what was done.
/// A shorter run keeps the shape of the schedule: each milestone moves to the epoch nearest its place in the
/// recipe's run (m · epochs / recipe epochs, rounded half away from zero), and a milestone that would land
/// before epoch 2 is dropped (at epoch 1 the whole run would train at a tenth of the rate). A run as long as
/// the recipe or longer keeps the recipe's milestones; the epochs past the recipe's last train at its last rate.
/// The CLI and the portal both take the schedule from here, so a 2-epoch run decays the same way in both.
/// </summary>
public sealed record ScheduleScaling(IReadOnlyList<int> Milestones, string? Note)
{
    public static ScheduleScaling Of(TrainingRecipe recipe, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        string from = $"{string.Join(",", recipe.Milestones)} of {recipe.Epochs} epochs";
        if (epochs == recipe.Epochs) return new ScheduleScaling(recipe.Milestones, null);
        if (epochs > recipe.Epochs)
            return new ScheduleScaling(recipe.Milestones,
                $"{recipe.Name} milestones {from} kept for {epochs} epochs; epochs {recipe.Epochs + 1}-{epochs} train at the last rate");
        double ratio = (double)epochs / recipe.Epochs;
        List<int> scaled = recipe.Milestones
            .Where(m => m * ratio >= 1.5)
            .Select(m => (int)Math.Round(m * ratio, MidpointRounding.AwayFromZero))
            .Distinct()
            .ToList();
        string to = scaled.Count == 0 ? "none (the run is too short for a decay)" : string.Join(",", scaled);
        return new ScheduleScaling(scaled,
            $"{recipe.Name} milestones {from} scaled to {epochs} epochs: {to} (each at its fraction of the run, rounded; none before epoch 2)");
    }
}
