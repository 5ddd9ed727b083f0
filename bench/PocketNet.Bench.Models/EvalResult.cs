namespace PocketNet.Bench.Models;

/// <summary>
/// The samples of one (model, case) on every path of the eval benchmark, in the paths' order. images/s = batch /
/// median seconds per iteration (with flip each image is embedded together with its mirror and counted once).
/// </summary>
public sealed record EvalResult(string Model, string Case, int Batch, IReadOnlyList<string> Paths, IReadOnlyList<IReadOnlyList<Sample>> Samples)
{
    public Summary SummaryOf(string path) => Summary.Of(SamplesOf(path), Batch);

    public IReadOnlyList<Sample> SamplesOf(string path) => Samples[IndexOf(path)];

    /// <summary>images/s of <paramref name="path"/> / images/s of <paramref name="baseline"/> (medians).</summary>
    public double Ratio(string path, string baseline) => SummaryOf(baseline).MedianMs / SummaryOf(path).MedianMs;

    /// <summary>
    /// The median over rounds of the baseline's time / the path's time in the same round: steadier than
    /// <see cref="Ratio"/> when the machine's load drifts during the run.
    /// </summary>
    public double PairedRatio(string path, string baseline) =>
        Summary.Median(SamplesOf(path).Zip(SamplesOf(baseline), (p, b) => b.Ms / p.Ms).ToList());

    /// <summary>
    /// <see cref="Ratio"/> over the samples during which other processes used under <see cref="CaseResult.CleanLoad"/>
    /// of the CPUs (null when either path has none): the figure to trust on a shared machine.
    /// </summary>
    public double? CleanRatio(string path, string baseline)
    {
        var mine = SamplesOf(path).Where(IsClean).Select(s => s.Ms).ToList();
        var theirs = SamplesOf(baseline).Where(IsClean).Select(s => s.Ms).ToList();
        return mine.Count > 0 && theirs.Count > 0 ? Summary.Median(theirs) / Summary.Median(mine) : null;
    }

    public int CleanSamples(string path) => SamplesOf(path).Count(IsClean);

    private static bool IsClean(Sample sample) => sample.OtherLoad < CaseResult.CleanLoad;

    private int IndexOf(string path)
    {
        for (int i = 0; i < Paths.Count; i++)
            if (Paths[i] == path) return i;
        throw new ArgumentException($"no path '{path}' in the results of {Model} {Case}", nameof(path));
    }
}
