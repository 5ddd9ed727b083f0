namespace PocketNet.Torch.Optim.Schedules;

/// <summary>
/// A linear warm-up in front of another schedule, as torch's LinearLR followed by the inner schedule in
/// a SequentialLR: for t &lt; W the rate climbs linearly from <c>startFactor * inner(0)</c> towards
/// <c>inner(0)</c>; from t = W on it is <c>inner(t - W)</c>, so the inner schedule starts afresh after
/// the warm-up (give a cosine <c>total - W</c> steps to end on time).
/// </summary>
public sealed class LinearWarmupSchedule : ILearningRateSchedule
{
    public LinearWarmupSchedule(ILearningRateSchedule inner, int warmupSteps, double startFactor = 0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (!(startFactor >= 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "the start factor must lie in [0, 1]");
        Inner = inner;
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
    }

    public ILearningRateSchedule Inner { get; }

    public int WarmupSteps { get; }

    public double StartFactor { get; }

    public double LearningRateAt(int t)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(t);
        if (t >= WarmupSteps) return Inner.LearningRateAt(t - WarmupSteps);
        double factor = StartFactor + (1 - StartFactor) * t / WarmupSteps;
        return Inner.LearningRateAt(0) * factor;
    }
}
