namespace PocketNet.Torch.Optim.Schedules;

/// <summary>
/// As torch's MultiStepLR: <c>lr(t) = baseLr * gamma^k</c>, k being the number of milestones at or
/// before t (a milestone listed twice counts twice, as PyTorch's Counter does).
/// </summary>
public sealed class MultiStepSchedule : ILearningRateSchedule
{
    private readonly int[] _milestones;

    public MultiStepSchedule(double baseLr, IEnumerable<int> milestones, double gamma = 0.1)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        if (!(baseLr >= 0) || double.IsInfinity(baseLr))
            throw new ArgumentOutOfRangeException(nameof(baseLr), baseLr, "the base learning rate must be a finite non-negative number");
        if (!(gamma >= 0) || double.IsInfinity(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be a finite non-negative number");
        _milestones = milestones.Order().ToArray();
        BaseLr = baseLr;
        Gamma = gamma;
    }

    public double BaseLr { get; }

    public double Gamma { get; }

    public IReadOnlyList<int> Milestones => _milestones;

    public double LearningRateAt(int t)
    {
        int passed = 0;
        while (passed < _milestones.Length && _milestones[passed] <= t) passed++;
        return BaseLr * Math.Pow(Gamma, passed);
    }
}
