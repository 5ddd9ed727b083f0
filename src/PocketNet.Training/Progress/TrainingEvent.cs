using System.Text.Json.Serialization;

namespace PocketNet.Training.Progress;

/// <summary>
/// Something a run reports while it works. Events are written, one JSON object per line, to the run's
/// events.jsonl and pushed to observers (CLI progress line, portal pages), so a run's curves can be
/// redrawn at any time from its directory alone.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(StepProgress), "step")]
[JsonDerivedType(typeof(EvaluationProgress), "evaluation_progress")]
[JsonDerivedType(typeof(VerificationCheck), "verification")]
[JsonDerivedType(typeof(EpochCompleted), "epoch")]
[JsonDerivedType(typeof(GenotypeDerived), "genotype")]
[JsonDerivedType(typeof(RunMessage), "message")]
public abstract record TrainingEvent
{
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// The progress event of every job kind: how much of the run that reports it is done (0..1, its accuracy checks
/// included) and how long the rest should take. Training and search report <see cref="StepProgress"/>; accuracy
/// checks during training and evaluations report <see cref="EvaluationProgress"/>. Consumers (the CLI's bar, the
/// portal's job reporter, pages) read these two members and need not know which kind of job it is.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(StepProgress), "step")]
[JsonDerivedType(typeof(EvaluationProgress), "evaluation_progress")]
public abstract record ProgressEvent : TrainingEvent
{
    /// <summary>Fraction of the whole run done, 0..1.</summary>
    public abstract double Fraction { get; }

    /// <summary>Time the rest of the run should take at the rates measured so far.</summary>
    public abstract TimeSpan EstimatedRemaining { get; }
}

/// <summary>
/// Training progress at a step. Loss parts are named ("ce", "kd", "total"); rates are images per second. A resumed
/// run first reports step 0 of the epoch after its checkpoint (no losses, no rate yet), so its bar starts there.
/// </summary>
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
    TimeSpan EstimatedRemaining) : ProgressEvent
{
    /// <summary>Fraction of the run done counting its accuracy checks (see TrainingWork); null in logs from before checks were counted.</summary>
    public double? RunFraction { get; init; }

    /// <summary>Fraction of the whole run done, 0..1: <see cref="RunFraction"/>, else steps taken over all steps.</summary>
    public override double Fraction => RunFraction ?? (TotalSteps == 0 ? 1 : (double)GlobalStep / TotalSteps);

    public override TimeSpan EstimatedRemaining { get; } = EstimatedRemaining;

    /// <summary>
    /// Where a resumed run stands before its first step (which can take minutes): step 0 of the epoch after its
    /// checkpoint, no losses and no rate yet (so no time left either).
    /// </summary>
    public static StepProgress Resumed(int completedEpochs, int epochs, int stepsPerEpoch, long globalStep, long totalSteps,
        double learningRate, double? runFraction = null) =>
        new(Math.Min(completedEpochs + 1, epochs), epochs, 0, stepsPerEpoch, globalStep, totalSteps, new Dictionary<string, double>(),
            learningRate, 0, TimeSpan.Zero) { RunFraction = runFraction };
}

/// <summary>
/// Progress of embedding one benchmark: an accuracy check during training (<see cref="GlobalStep"/> set: the step
/// whose weights are checked) or an evaluation. <see cref="Index"/> of <see cref="Count"/> is the benchmark's place
/// in its pass (0-based); <see cref="Done"/> of <see cref="Total"/> counts <see cref="Unit"/> ("pairs" for pair
/// sets, "images" otherwise) embedded so far; <see cref="ImagesPerSecond"/> is the embedding rate, flips included.
/// </summary>
public sealed record EvaluationProgress(
    string Benchmark,
    int Index,
    int Count,
    long Done,
    long Total,
    string Unit,
    double ImagesPerSecond,
    TimeSpan EstimatedRemaining) : ProgressEvent
{
    /// <summary>During training: the global step whose weights are checked; null for an evaluation.</summary>
    public long? GlobalStep { get; init; }

    /// <summary>During training: the fraction of the whole run done, checks included; null for an evaluation.</summary>
    public double? RunFraction { get; init; }

    /// <summary>Fraction done: <see cref="RunFraction"/> for a check, else benchmarks and units done over the evaluation's.</summary>
    public override double Fraction => RunFraction ?? (Count == 0 ? 1 : (Index + (Total == 0 ? 1 : (double)Done / Total)) / Count);

    public override TimeSpan EstimatedRemaining { get; } = EstimatedRemaining;

    /// <summary>True for an accuracy check during training.</summary>
    [JsonIgnore]
    public bool IsCheck => GlobalStep is not null;
}

/// <summary>Result of the periodic verification check on a pair set (accuracy as a fraction).</summary>
public sealed record VerificationCheck(long GlobalStep, string Benchmark, bool Synthetic, double Accuracy, double Std) : TrainingEvent;

/// <summary>An epoch finished and its checkpoint was written.</summary>
public sealed record EpochCompleted(int Epoch, long GlobalStep, string Checkpoint, IReadOnlyDictionary<string, double> MeanLosses) : TrainingEvent;

/// <summary>A DARTS search derived its current genotype (after an epoch).</summary>
public sealed record GenotypeDerived(int Epoch, string Genotype, double ValidationAccuracy) : TrainingEvent;

/// <summary>A line for the run's log.</summary>
public sealed record RunMessage(string Text) : TrainingEvent;
