using System.Text.Json.Serialization;

namespace PocketNet.Training.Progress;

/// <summary>
/// Something a run reports while it works. Events are written, one JSON object per line, to the run's
/// events.jsonl and pushed to observers (CLI progress line, portal pages), so a run's curves can be
/// redrawn at any time from its directory alone.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(StepProgress), "step")]
[JsonDerivedType(typeof(VerificationCheck), "verification")]
[JsonDerivedType(typeof(EpochCompleted), "epoch")]
[JsonDerivedType(typeof(GenotypeDerived), "genotype")]
[JsonDerivedType(typeof(RunMessage), "message")]
public abstract record TrainingEvent
{
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>Training progress at a step. Loss parts are named ("ce", "kd", "total"); rates are images per second.</summary>
public sealed record StepProgress(
    int Epoch,
    int Epochs,
    int Step,
    int StepsPerEpoch,
    long GlobalStep,
    long TotalSteps,
    IReadOnlyDictionary<string, double> Losses,
    double LearningRate,
    double ImagesPerSecond,
    TimeSpan EstimatedRemaining) : TrainingEvent
{
    /// <summary>Fraction of the whole run done, 0..1.</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)GlobalStep / TotalSteps;
}

/// <summary>Result of the periodic verification check on a pair set (accuracy as a fraction).</summary>
public sealed record VerificationCheck(long GlobalStep, string Benchmark, bool Synthetic, double Accuracy, double Std) : TrainingEvent;

/// <summary>An epoch finished and its checkpoint was written.</summary>
public sealed record EpochCompleted(int Epoch, long GlobalStep, string Checkpoint, IReadOnlyDictionary<string, double> MeanLosses) : TrainingEvent;

/// <summary>A DARTS search derived its current genotype (after an epoch).</summary>
public sealed record GenotypeDerived(int Epoch, string Genotype, double ValidationAccuracy) : TrainingEvent;

/// <summary>A line for the run's log.</summary>
public sealed record RunMessage(string Text) : TrainingEvent;
