namespace PocketNet.Bench.Models;

/// <summary>
/// The samples of one (model, case) on both sides and what the table shows of them. images/s = batch / median
/// seconds per iteration; <see cref="Ratio"/> = our images/s / PyTorch's (>= 1: we are at least as fast).
/// </summary>
public sealed record CaseResult(string Model, string Case, int Batch, IReadOnlyList<Sample> Ours, IReadOnlyList<Sample> PyTorch,
    bool Interleaved)
{
    public Summary OursSummary => Summary.Of(Ours, Batch);
    public Summary? PyTorchSummary => PyTorch.Count > 0 ? Summary.Of(PyTorch, Batch) : null;

    /// <summary>PyTorch's median time / ours.</summary>
    public double? Ratio => PyTorchSummary is { } py ? py.MedianMs / OursSummary.MedianMs : null;

    /// <summary>PyTorch's fastest iteration / ours: the least disturbed samples of a busy machine.</summary>
    public double? MinRatio => PyTorchSummary is { } py ? py.MinMs / OursSummary.MinMs : null;

    /// <summary>
    /// Alternating rounds (not --blocks): the median over rounds of PyTorch's time / ours in the same round (the two ran back to
    /// back), steadier than <see cref="Ratio"/> when the machine's load drifts.
    /// </summary>
    public double? PairedRatio => Interleaved && PyTorch.Count == Ours.Count && Ours.Count > 0
        ? Summary.Median(Ours.Zip(PyTorch, (o, p) => p.Ms / o.Ms).ToList())
        : null;

    /// <summary>A sample is clean when other processes used less than this share of the CPUs while it ran.</summary>
    public const double CleanLoad = 0.1;

    /// <summary>Clean samples, ours + PyTorch's.</summary>
    public int CleanSamples => Ours.Count(IsClean) + PyTorch.Count(IsClean);

    /// <summary>
    /// PyTorch's median / ours over the clean samples only: the figure to trust on a shared machine (null when
    /// a side has none).
    /// </summary>
    public double? CleanRatio => Ours.Any(IsClean) && PyTorch.Any(IsClean)
        ? Summary.Median(PyTorch.Where(IsClean).Select(s => s.Ms).ToList()) / Summary.Median(Ours.Where(IsClean).Select(s => s.Ms).ToList())
        : null;

    private static bool IsClean(Sample sample) => sample.OtherLoad < CleanLoad;
}

/// <summary>
/// Median, min and max of the wall time, images/s at the median, median CPU time (and its kernel part) and minor faults, median share of the CPUs other
/// processes used, and the median of each phase.
/// </summary>
public sealed record Summary(double MedianMs, double MinMs, double MaxMs, double ImagesPerSecond, double MedianCpuMs, double MedianSysMs,
    double MedianMinorFaults, double MedianOtherLoad, IReadOnlyDictionary<string, double> PhaseMedianMs)
{
    public static Summary Of(IReadOnlyList<Sample> samples, int batch)
    {
        double median = Median(samples.Select(s => s.Ms).ToList());
        var phases = samples[0].PhasesMs.Keys.ToDictionary(k => k, k => Median(samples.Select(s => s.PhasesMs.GetValueOrDefault(k)).ToList()));
        return new Summary(median, samples.Min(s => s.Ms), samples.Max(s => s.Ms), batch / (median / 1e3),
            Median(samples.Select(s => s.CpuMs).ToList()), Median(samples.Select(s => s.SysMs).ToList()),
            Median(samples.Select(s => (double)s.MinorFaults).ToList()),
            Median(samples.Select(s => s.OtherLoad).ToList()), phases);
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
