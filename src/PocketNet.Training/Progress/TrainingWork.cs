namespace PocketNet.Training.Progress;

/// <summary>
/// What a training run has to do, steps and accuracy checks, and how far it is: the bar's fraction and the time left
/// that <see cref="StepProgress"/> and a check's <see cref="EvaluationProgress"/> report.
/// <para>
/// The fraction weighs work in image passes through the network, fixed by the plan so the bar never runs back: a
/// step is <c>3 x batch</c> (forward and backward), a checked image is 2 (itself and its flip, forward only). The
/// time left uses measured rates: seconds per step and seconds per checked image, each measured in this session
/// (a check's own time kept out of the step rate); until a check has run, a checked image is priced at 2/3 of a
/// trained one.
/// </para>
/// </summary>
public sealed class TrainingWork(long totalSteps, int stepsPerEpoch, int batchSize, int verifyEverySteps, long imagesPerCheck)
{
    private const double PassesPerTrainedImage = 3, PassesPerCheckedImage = 2;

    private double _stepSeconds, _checkSeconds;
    private long _stepsTimed, _checkImagesTimed;

    public long TotalSteps => totalSteps;

    /// <summary>Images embedded by one check (every validation pair set's images).</summary>
    public long ImagesPerCheck => imagesPerCheck;

    /// <summary>Checks in the whole run: after every epoch, or every <c>verifyEverySteps</c> steps.</summary>
    public long TotalChecks => imagesPerCheck == 0 ? 0 : verifyEverySteps > 0 ? totalSteps / verifyEverySteps : totalSteps / Math.Max(stepsPerEpoch, 1);

    /// <summary>Checks done once <paramref name="globalStep"/> steps are taken and that step's check (if any) has run.</summary>
    public long ChecksThrough(long globalStep) =>
        imagesPerCheck == 0 ? 0 : verifyEverySteps > 0 ? globalStep / verifyEverySteps : globalStep / Math.Max(stepsPerEpoch, 1);

    /// <summary>Measured: the <paramref name="steps"/> training steps of this session took <paramref name="seconds"/> in all.</summary>
    public void StepsTook(long steps, double seconds) => (_stepsTimed, _stepSeconds) = (steps, seconds);

    /// <summary>Measured: a check embedded <paramref name="images"/> images in <paramref name="seconds"/>.</summary>
    public void CheckTook(long images, double seconds) => (_checkImagesTimed, _checkSeconds) = (_checkImagesTimed + images, _checkSeconds + seconds);

    /// <summary>Seconds per step measured so far; null before the first timed step.</summary>
    public double? SecondsPerStep => _stepsTimed > 0 ? _stepSeconds / _stepsTimed : null;

    /// <summary>Seconds per checked image: measured on checks, else 2/3 of a trained image's; null when neither is known.</summary>
    public double? SecondsPerCheckedImage =>
        _checkImagesTimed > 0 ? _checkSeconds / _checkImagesTimed
        : SecondsPerStep is double step ? step / batchSize * PassesPerCheckedImage / PassesPerTrainedImage
        : null;

    /// <summary>
    /// Fraction of the run done at <paramref name="globalStep"/> with <paramref name="checksDone"/> whole checks and
    /// <paramref name="checkImagesDone"/> images of the one running.
    /// </summary>
    public double Fraction(long globalStep, long checksDone, long checkImagesDone = 0)
    {
        double total = StepPasses(totalSteps) + CheckPasses(TotalChecks * imagesPerCheck);
        if (total <= 0) return 1;
        double done = StepPasses(globalStep) + CheckPasses(checksDone * imagesPerCheck + checkImagesDone);
        return Math.Clamp(done / total, 0, 1);
    }

    /// <summary>Time the rest takes: the steps after <paramref name="globalStep"/> and the checks not yet done; zero when no rate is measured yet.</summary>
    public TimeSpan Remaining(long globalStep, long checksDone, long checkImagesDone = 0)
    {
        double steps = (totalSteps - globalStep) * (SecondsPerStep ?? 0);
        long imagesLeft = Math.Max(0, (TotalChecks - checksDone) * imagesPerCheck - checkImagesDone);
        return TimeSpan.FromSeconds(steps + imagesLeft * (SecondsPerCheckedImage ?? 0));
    }

    private double StepPasses(long steps) => steps * (double)batchSize * PassesPerTrainedImage;

    private static double CheckPasses(long images) => images * PassesPerCheckedImage;
}
