using PocketNet.Training.Progress;

namespace PocketNet.Training.Tests.Progress;

/// <summary>
/// The training run's bar and time left, by hand: 2 epochs of 5 steps at batch 4, a check of 6 images after each
/// epoch. In image passes a step is 4 x 3 = 12, a check 6 x 2 = 12: 10 steps and 2 checks make 144.
/// </summary>
public sealed class TrainingWorkTests
{
    private static TrainingWork Work() => new(totalSteps: 10, stepsPerEpoch: 5, batchSize: 4, verifyEverySteps: 0, imagesPerCheck: 6);

    [Fact]
    public void The_bar_counts_checks_and_moves_while_one_runs()
    {
        TrainingWork work = Work();
        Assert.Equal(2, work.TotalChecks);
        Assert.Equal(60.0 / 144, work.Fraction(globalStep: 5, checksDone: 0), 12);       // epoch 1 trained, its check to come
        Assert.Equal(66.0 / 144, work.Fraction(globalStep: 5, checksDone: 0, checkImagesDone: 3), 12); // half of it
        Assert.Equal(72.0 / 144, work.Fraction(globalStep: 5, checksDone: 1), 12);
        Assert.Equal(132.0 / 144, work.Fraction(globalStep: 10, checksDone: 1), 12);     // the last check still to run
        Assert.Equal(1, work.Fraction(globalStep: 10, checksDone: 2));
    }

    [Fact]
    public void Time_left_counts_the_remaining_checks_at_measured_rates()
    {
        TrainingWork work = Work();
        Assert.Equal(TimeSpan.Zero, work.Remaining(0, 0)); // nothing measured yet
        work.StepsTook(steps: 5, seconds: 10); // 2 s a step: a trained image 0.5 s, a checked one priced 2/3 of it
        Assert.Equal(1.0 / 3, work.SecondsPerCheckedImage!.Value, 12);
        // 5 steps (10 s) and two checks of 6 images (4 s).
        Assert.Equal(14, work.Remaining(globalStep: 5, checksDone: 0).TotalSeconds, 9);
        work.CheckTook(images: 6, seconds: 3); // measured: 0.5 s an image
        Assert.Equal(13, work.Remaining(globalStep: 5, checksDone: 1).TotalSeconds, 9);
        // After the last step only the last check is left: not zero.
        Assert.Equal(3, work.Remaining(globalStep: 10, checksDone: 1).TotalSeconds, 9);
        Assert.Equal(1.5, work.Remaining(globalStep: 10, checksDone: 1, checkImagesDone: 3).TotalSeconds, 9);
        Assert.Equal(TimeSpan.Zero, work.Remaining(globalStep: 10, checksDone: 2));
    }

    [Fact]
    public void Checks_every_n_steps_are_counted_by_step()
    {
        var work = new TrainingWork(totalSteps: 10, stepsPerEpoch: 5, batchSize: 4, verifyEverySteps: 3, imagesPerCheck: 6);
        Assert.Equal(3, work.TotalChecks); // steps 3, 6, 9
        Assert.Equal(2, work.ChecksThrough(7));
        Assert.Equal(0, new TrainingWork(10, 5, 4, 0, imagesPerCheck: 0).TotalChecks);
    }

    [Fact]
    public void Progress_reports_every_hundredth_and_the_end()
    {
        var seen = new List<long>();
        var progress = new CountProgress(1000, seen.Add);
        for (int i = 1; i <= 200; i++) progress.Report(i / 200.0);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => i * 10L), seen);
    }
}
