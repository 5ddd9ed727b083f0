using System.Globalization;
using PocketNet.Training.Progress;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// A running job's progress sink: forwards every event to <see cref="LiveJobs"/> (open pages) and keeps the
/// snapshot (fraction, loss, images/s, time left, phase) that <see cref="JobHeartbeat"/> writes to the store every
/// few seconds. Every job kind reports <see cref="ProgressEvent"/>s (training steps, accuracy checks, evaluations);
/// a job made of phases (train, then evaluate) maps each phase's 0..1 onto its share with <see cref="Range"/>, and
/// the time left adds what the phases after the running one should take (<see cref="ThenEmbeds"/>).
/// </summary>
public sealed class JobReporter(int jobId, LiveJobs live) : IProgress<TrainingEvent>
{
    /// <summary>An image embedded with its flip is two forward passes, a trained one about three (forward and backward).</summary>
    private const double EmbeddedPerTrainedImage = 3.0 / 2.0;

    private readonly Lock _gate = new();
    private readonly Stopwatch _attempt = Stopwatch.StartNew();
    private double _earlierSeconds;
    private double _from, _to = 1;
    private long _laterImages;
    private double? _embeddingRate, _priorRate; // images embedded per second: measured (checks, evaluations); guessed from training

    public double Progress { get; private set; }
    public double? Loss { get; private set; }
    public double? ImagesPerSecond { get; private set; }
    public double? RemainingSeconds { get; private set; }
    public string? Phase { get; private set; }

    /// <summary>The latest progress event: a step, a check or an evaluation, with its own figures.</summary>
    public ProgressEvent? Latest { get; private set; }

    /// <summary>Makes the following progress fractions cover [from, to] of the whole job.</summary>
    public void Range(double from, double to)
    {
        lock (_gate)
        {
            (_from, _to) = (from, to);
            Progress = Math.Max(Progress, from);
            ResumesFrom = Math.Max(ResumesFrom, from);
        }
    }

    /// <summary>
    /// Where a resume of the job would continue from: the newest checkpoint's place (the progress when the last epoch
    /// completed), or the end of a finished phase. A stopped job's row keeps this, not where its steps had got to.
    /// </summary>
    public double ResumesFrom { get; private set; }

    /// <summary>Seconds the job has run, its earlier attempts (<see cref="Continue"/>) and this one together.</summary>
    public double RunSeconds => _earlierSeconds + _attempt.Elapsed.TotalSeconds;

    /// <summary>
    /// A job started again (resumed, or taken over from a dead worker) goes on from its earlier attempts: its time
    /// counts on from <paramref name="runSeconds"/>, its bar starts where the store's row left it (a stopped job's
    /// row holds <see cref="ResumesFrom"/>) until the job's first event says where its checkpoint is.
    /// </summary>
    public void Continue(double progress, double runSeconds)
    {
        lock (_gate) Progress = ResumesFrom = Math.Clamp(progress, 0, 1);
        _earlierSeconds = Math.Max(0, runSeconds);
    }

    /// <summary>
    /// After what runs now, the job embeds <paramref name="images"/> more images (an evaluation, the benchmarks after
    /// this one): their time, at the embedding rate measured by checks or evaluation so far (else 2/3 of a trained
    /// image's), is part of every time left until then.
    /// </summary>
    public void ThenEmbeds(long images)
    {
        lock (_gate) _laterImages = Math.Max(0, images);
    }

    /// <summary>Sets the phase's own fraction done (0..1) and, optionally, what is happening.</summary>
    public void Advance(double fraction, string? phase = null)
    {
        lock (_gate)
        {
            Progress = _from + (_to - _from) * Math.Clamp(fraction, 0, 1);
            if (phase is not null) Phase = phase;
        }
        if (phase is not null) live.Report(jobId, new RunMessage(phase));
    }

    public void Report(TrainingEvent value)
    {
        if (value is EpochCompleted)
            lock (_gate) ResumesFrom = Progress; // its checkpoint is written: a resume starts here
        if (value is ProgressEvent progress)
            lock (_gate)
            {
                Progress = _from + (_to - _from) * Math.Clamp(progress.Fraction, 0, 1);
                Latest = progress;
                if (progress is StepProgress { Step: 0 }) ResumesFrom = Progress; // a resumed run's checkpoint
                switch (progress)
                {
                    case StepProgress step:
                        // A resumed run's first report (step 0) has no losses and no rate yet: keep what is known.
                        if (step.Losses.Count > 0)
                            Loss = step.Losses.TryGetValue("total", out double total) ? total : step.Losses.Values.First();
                        ImagesPerSecond = step.ImagesPerSecond > 0 ? step.ImagesPerSecond : null;
                        if (ImagesPerSecond is double trained) _priorRate = trained * EmbeddedPerTrainedImage;
                        break;
                    case EvaluationProgress evaluation:
                        if (evaluation.ImagesPerSecond > 0)
                        {
                            ImagesPerSecond = evaluation.ImagesPerSecond;
                            _embeddingRate = evaluation.ImagesPerSecond;
                        }
                        break;
                }
                RemainingSeconds = Remaining(progress) ?? RemainingSeconds;
                Phase = Describe(progress);
            }
        live.Report(jobId, value);
    }

    private double? Remaining(ProgressEvent progress)
    {
        bool measured = progress is StepProgress { ImagesPerSecond: > 0 } || progress is EvaluationProgress { ImagesPerSecond: > 0 };
        if (!measured) return null;
        double later = _laterImages == 0 ? 0 : (_embeddingRate ?? _priorRate) is double rate and > 0 ? _laterImages / rate : 0;
        return progress.EstimatedRemaining.TotalSeconds + later;
    }

    /// <summary>A progress event as the store keeps it (<c>JobRecord.ProgressJson</c>): as events.jsonl writes it.</summary>
    public static string? Serialize(ProgressEvent? progress) =>
        progress is null ? null : System.Text.Json.JsonSerializer.Serialize(progress, EventLog.JsonOptions);

    /// <summary>The stored progress event; null for none or one this version cannot read.</summary>
    public static ProgressEvent? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ProgressEvent>(json, EventLog.JsonOptions);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>What the job does now, in the words the run page and the jobs table show.</summary>
    public static string Describe(ProgressEvent progress) => progress switch
    {
        StepProgress { Step: 0 } s => $"training: resumed at step {s.GlobalStep:N0} of {s.TotalSteps:N0} (epoch {s.Epoch}/{s.Epochs})",
        StepProgress s => $"training: epoch {s.Epoch}/{s.Epochs}, step {s.Step}/{s.StepsPerEpoch}",
        EvaluationProgress { IsCheck: true } e =>
            $"checking accuracy at step {e.GlobalStep!.Value.ToString("N0", CultureInfo.InvariantCulture)}: {e.Benchmark}{Of(e)}, {Count(e)}",
        EvaluationProgress e => $"evaluating {e.Benchmark} ({e.Index + 1}/{e.Count}): {Count(e)}",
        _ => progress.GetType().Name,
    };

    private static string Of(EvaluationProgress e) => e.Count > 1 ? $" ({e.Index + 1}/{e.Count})" : "";

    private static string Count(EvaluationProgress e) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.Done:N0}/{e.Total:N0} {e.Unit} embedded");
}
