using PocketNet.Training.Progress;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// A running job's progress sink: forwards every event to <see cref="LiveJobs"/> (open pages) and keeps the
/// snapshot (fraction, loss, images/s, time left, phase) that <see cref="JobHeartbeat"/> writes to the store every
/// few seconds. A job made of phases (train, then evaluate) maps each phase's 0..1 onto its share with <see cref="Range"/>.
/// </summary>
public sealed class JobReporter(int jobId, LiveJobs live) : IProgress<TrainingEvent>
{
    private readonly Lock _gate = new();
    private double _from, _to = 1;

    public double Progress { get; private set; }
    public double? Loss { get; private set; }
    public double? ImagesPerSecond { get; private set; }
    public double? RemainingSeconds { get; private set; }
    public string? Phase { get; private set; }

    /// <summary>Makes the following progress fractions cover [from, to] of the whole job.</summary>
    public void Range(double from, double to)
    {
        lock (_gate)
        {
            (_from, _to) = (from, to);
            Progress = Math.Max(Progress, from);
        }
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
        if (value is StepProgress step)
        {
            lock (_gate)
            {
                Progress = _from + (_to - _from) * step.Fraction;
                Loss = step.Losses.TryGetValue("total", out double total) ? total : step.Losses.Values.FirstOrDefault();
                ImagesPerSecond = step.ImagesPerSecond;
                RemainingSeconds = step.EstimatedRemaining.TotalSeconds;
                Phase = $"training: epoch {step.Epoch}/{step.Epochs}, step {step.Step}/{step.StepsPerEpoch}";
                }
        }
        live.Report(jobId, value);
    }
}
