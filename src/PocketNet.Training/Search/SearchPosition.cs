namespace PocketNet.Training.Search;

/// <summary>
/// How far a search has come (position.json of a checkpoint): epochs done, steps taken, and the best
/// genotype so far with its validation top-1 (null before the first epoch ends).
/// </summary>
public sealed record SearchPosition(int CompletedEpochs, long GlobalStep, string? BestGenotype = null, double BestAccuracy = -1, int BestEpoch = 0)
    : PocketNet.Training.Runs.IRunPosition;
