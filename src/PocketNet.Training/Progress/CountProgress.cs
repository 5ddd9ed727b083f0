namespace PocketNet.Training.Progress;

/// <summary>
/// Turns an extractor's fraction done into items done out of <paramref name="total"/>, passed on at most once per
/// hundredth of the total (and always at the end): a check of 14,000 images logs about a hundred events, not one per batch.
/// </summary>
public sealed class CountProgress(long total, Action<long> report) : IProgress<double>
{
    private long _reported;

    public void Report(double value)
    {
        long done = (long)Math.Round(Math.Clamp(value, 0, 1) * total);
        if (done <= _reported || (done < total && done - _reported < Math.Max(1, total / 100))) return;
        _reported = done;
        report(done);
    }
}
