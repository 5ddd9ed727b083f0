using PocketNet.Portal.Jobs;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Tests;

/// <summary>RunCurves folds a run's events into what the run page draws, in bounded memory however long the run.</summary>
public sealed class RunCurvesTests
{
    private static StepProgress Step(long globalStep, double? total = null, double? ce = null)
    {
        var losses = new Dictionary<string, double>();
        if (total is { } t) losses["total"] = t;
        if (ce is { } c) losses["ce"] = c;
        return new StepProgress(1, 1, (int)globalStep, 100_000, globalStep, 100_000, losses, 0.1, 50, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Every_step_is_a_loss_point_while_the_run_is_short()
    {
        var curves = new RunCurves();
        for (int s = 1; s <= 100; s++) curves.Add(Step(s, total: 10.0 / s));
        Assert.Equal(Enumerable.Range(1, 100).Select(s => (long)s), curves.Loss.Select(p => p.Step));
        Assert.Equal(0.1, curves.Loss[^1].Loss);
        Assert.Equal(100, curves.LastStep!.GlobalStep);
    }

    [Theory]
    [InlineData(5_001)]
    [InlineData(20_000)]
    [InlineData(123_457)]
    public void A_long_run_keeps_a_bounded_loss_curve_with_its_first_and_newest_points(int steps)
    {
        var curves = new RunCurves();
        for (int s = 1; s <= steps; s++)
        {
            curves.Add(Step(s, total: s));
            Assert.True(curves.Loss.Count <= 5_000, $"{curves.Loss.Count} points after step {s}");
            Assert.Equal(s, curves.Loss[^1].Step);
        }
        Assert.Equal(1, curves.Loss[0].Step);
        Assert.True(curves.Loss.Count >= 2_000, $"only {curves.Loss.Count} points kept");
        for (int i = 1; i < curves.Loss.Count; i++) Assert.True(curves.Loss[i].Step > curves.Loss[i - 1].Step);
        Assert.All(curves.Loss, p => Assert.Equal(p.Step, p.Loss));
    }

    [Fact]
    public void The_loss_is_the_total_or_else_the_cross_entropy()
    {
        var curves = new RunCurves();
        curves.Add(Step(1, total: 3, ce: 2));
        curves.Add(Step(2, ce: 1.5));
        curves.Add(Step(3));
        Assert.Equal([new LossPoint(1, 3, 0.1), new LossPoint(2, 1.5, 0.1)], curves.Loss); // with the learning rate each step ran at
        Assert.Equal(3, curves.LastStep!.GlobalStep);
    }

    [Fact]
    public void Steps_repeated_after_a_resume_replace_the_stopped_attempts_points()
    {
        var curves = new RunCurves();
        for (int s = 1; s <= 9; s++) curves.Add(Step(s, total: 100 + s)); // stopped in epoch 2, after step 9
        for (int s = 7; s <= 12; s++) curves.Add(Step(s, total: 200 + s)); // resumed from the checkpoint at step 6
        Assert.Equal(Enumerable.Range(1, 12).Select(s => (long)s), curves.Loss.Select(p => p.Step));
        Assert.Equal([101, 102, 103, 104, 105, 106, 207, 208, 209, 210, 211, 212], curves.Loss.Select(p => p.Loss));
        Assert.Equal(12, curves.LastStep!.GlobalStep);
    }

    [Fact]
    public void The_log_keeps_only_its_newest_lines()
    {
        var curves = new RunCurves();
        for (int i = 0; i < 1_000; i++) curves.Add(new RunMessage($"line {i}"));
        List<LogLine> log = curves.Log.ToList();
        Assert.Equal(RunCurves.LogLines, log.Count);
        Assert.Equal("line 600", log[0].Text);
        Assert.Equal("line 999", log[^1].Text);
    }

    [Fact]
    public void Verification_checks_become_accuracy_points_and_log_lines_marked_synthetic()
    {
        var curves = new RunCurves();
        curves.Add(new VerificationCheck(60, "synth_lfw", true, 0.75, 0.05));
        curves.Add(new VerificationCheck(120, "lfw", false, 0.9950, 0.0037));
        Assert.Equal([new AccuracyPoint(60, "synth_lfw", 0.75), new AccuracyPoint(120, "lfw", 0.995)], curves.Accuracy);
        List<string> log = curves.Log.Select(l => l.Text).ToList();
        Assert.StartsWith("synth_lfw (synthetic): accuracy", log[0]);
        Assert.StartsWith("lfw: accuracy", log[1]);
        Assert.Contains("120", log[1]);
    }

    [Fact]
    public void Epochs_and_searches_are_logged_and_the_newest_genotype_kept()
    {
        var curves = new RunCurves();
        curves.Add(new EpochCompleted(1, 6, "checkpoints/epoch-0001", new Dictionary<string, double> { ["ce"] = 12.5 }));
        curves.Add(new GenotypeDerived(1, "Genotype(first)", 0.1));
        curves.Add(new GenotypeDerived(2, "Genotype(second)", 0.2));
        Assert.Equal("Genotype(second)", curves.Genotype);
        List<string> log = curves.Log.Select(l => l.Text).ToList();
        Assert.StartsWith("epoch 1 done at step 6: ce 12.5000", log[0]);
        Assert.Contains("Genotype(second)", log[^1]);
    }

    [Fact]
    public void Folding_the_events_again_gives_the_same_curves()
    {
        var events = new List<TrainingEvent>();
        for (int s = 1; s <= 12_000; s++) events.Add(Step(s, total: 1.0 / s));
        events.Add(new VerificationCheck(12_000, "synth_lfw", true, 0.8, 0.1));
        RunCurves once = RunCurves.FromEvents(events);
        var live = new RunCurves();
        foreach (TrainingEvent e in events) live.Add(e);
        Assert.Equal(once.Loss, live.Loss);
        Assert.Equal(once.Accuracy, live.Accuracy);
    }
}
