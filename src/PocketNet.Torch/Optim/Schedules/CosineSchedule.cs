namespace PocketNet.Torch.Optim.Schedules;

/// <summary>
/// As torch's CosineAnnealingLR over one half period: <c>lr(t) = minLr + (baseLr - minLr) * (1 + cos(pi * t / T)) / 2</c>
/// for 0 &lt;= t &lt;= T. Past T it stays at <c>minLr</c> rather than climbing back up the cosine as
/// PyTorch's would, since training beyond the planned length should not warm the rate up again.
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    public CosineSchedule(double baseLr, int totalSteps, double minLr = 0)
    {
        if (!(baseLr >= 0) || double.IsInfinity(baseLr))
            throw new ArgumentOutOfRangeException(nameof(baseLr), baseLr, "the base learning rate must be a finite non-negative number");
        if (!(minLr >= 0) || double.IsInfinity(minLr))
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "the minimum learning rate must be a finite non-negative number");
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        BaseLr = baseLr;
        TotalSteps = totalSteps;
        MinLr = minLr;
    }

    public double BaseLr { get; }

    public int TotalSteps { get; }

    public double MinLr { get; }

    public double LearningRateAt(int t)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(t);
        if (t >= TotalSteps) return MinLr;
        return MinLr + (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * t / TotalSteps)) / 2;
    }
}
