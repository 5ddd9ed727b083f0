using PocketNet.Application.Evaluation;
using PocketNet.Portal.Jobs;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Tests;

/// <summary>
/// What a job's bar, phase and time left say for each kind of progress event, by hand: training steps, an accuracy
/// check, a resumed run's first report, an evaluation job's benchmarks.
/// </summary>
public sealed class JobReporterTests
{
    private static readonly Dictionary<string, double> Losses = new() { ["ce"] = 2.5, ["total"] = 2.5 };

    private static StepProgress Step(long globalStep, double runFraction, double imagesPerSecond = 40, double secondsLeft = 10) =>
        new(1, 2, (int)globalStep, 5, globalStep, 10, Losses, 0.1, imagesPerSecond, TimeSpan.FromSeconds(secondsLeft)) { RunFraction = runFraction };

    private static EvaluationProgress Check(long done, double runFraction, double imagesPerSecond, double secondsLeft) =>
        new("synth_lfw", 0, 1, done, 40, "pairs", imagesPerSecond, TimeSpan.FromSeconds(secondsLeft)) { GlobalStep = 5, RunFraction = runFraction };

    [Fact]
    public void A_check_moves_the_bar_and_says_what_it_embeds()
    {
        var reporter = new JobReporter(1, new LiveJobs());
        reporter.Range(0, 0.8); // training's share; an evaluation follows
        reporter.Report(Step(5, runFraction: 0.4));
        Assert.Equal(0.32, reporter.Progress, 12);
        reporter.Report(Check(done: 0, runFraction: 0.4, imagesPerSecond: 0, secondsLeft: 12));
        reporter.Report(Check(done: 20, runFraction: 0.45, imagesPerSecond: 80, secondsLeft: 11));
        Assert.Equal(0.36, reporter.Progress, 12);
        Assert.Equal("checking accuracy at step 5: synth_lfw, 20/40 pairs embedded", reporter.Phase);
        Assert.Equal(80, reporter.ImagesPerSecond);
        Assert.Equal(2.5, reporter.Loss); // the step's loss stays while the check runs
        EvaluationProgress latest = Assert.IsType<EvaluationProgress>(reporter.Latest);
        Assert.Equal((20, 40), (latest.Done, latest.Total));
    }

    [Fact]
    public void Time_left_adds_the_evaluation_after_training_at_the_measured_embedding_rate()
    {
        var reporter = new JobReporter(1, new LiveJobs());
        reporter.ThenEmbeds(120);
        // Before any check: an embedded image (with its flip) priced at 2/3 of a trained one, 40 images/s -> 60/s.
        reporter.Report(Step(1, runFraction: 0.1, imagesPerSecond: 40, secondsLeft: 30));
        Assert.Equal(30 + 120 / 60.0, reporter.RemainingSeconds!.Value, 9);
        // A check measured 80 images/s: the evaluation's 120 images take 1.5 s.
        reporter.Report(Check(done: 20, runFraction: 0.45, imagesPerSecond: 80, secondsLeft: 11));
        Assert.Equal(11 + 1.5, reporter.RemainingSeconds!.Value, 9);
        reporter.ThenEmbeds(0);
        reporter.Report(Step(10, runFraction: 0.9, imagesPerSecond: 40, secondsLeft: 4));
        Assert.Equal(4, reporter.RemainingSeconds!.Value, 9);
    }

    [Fact]
    public void A_resumed_job_starts_its_bar_at_its_checkpoint_and_counts_its_earlier_time()
    {
        var reporter = new JobReporter(1, new LiveJobs());
        reporter.Continue(progress: 0.62, runSeconds: 30); // where the stopped attempt's row left it
        Assert.Equal(0.62, reporter.Progress);
        Assert.True(reporter.RunSeconds >= 30);
        var resumed = new StepProgress(2, 2, 0, 5, 5, 10, new Dictionary<string, double>(), 0.1, 0, TimeSpan.Zero) { RunFraction = 0.5 };
        reporter.Report(resumed);
        Assert.Equal(0.5, reporter.Progress); // the checkpoint, not 0, not past it
        Assert.Null(reporter.Loss);
        Assert.Null(reporter.ImagesPerSecond);
        Assert.Null(reporter.RemainingSeconds); // nothing measured in this attempt yet
        Assert.Equal("training: resumed at step 5 of 10 (epoch 2/2)", reporter.Phase);
        Assert.Equal(0.5, reporter.ResumesFrom); // until an epoch completes, a stop resumes from the same checkpoint

        reporter.Report(Step(7, runFraction: 0.7));
        Assert.Equal(0.5, reporter.ResumesFrom);
        reporter.Report(Step(10, runFraction: 0.9));
        reporter.Report(new EpochCompleted(2, 10, "checkpoints/epoch-0002", Losses));
        Assert.Equal(0.9, reporter.ResumesFrom); // its checkpoint is written
    }

    [Fact]
    public void An_evaluation_reports_benchmarks_and_images_not_training_figures()
    {
        var reporter = new JobReporter(1, new LiveJobs());
        var live = new EvaluationProgress("synth_ijb", 0, 1, 30, 60, "images", 10, TimeSpan.FromSeconds(3));
        var recorded = new List<TrainingEvent>();
        new BenchmarkOfJob(new ListProgress(recorded), index: 1, count: 2).Report(live);
        reporter.Report(recorded.Single());
        Assert.Equal(0.75, reporter.Progress, 12); // the first benchmark done, half of the second
        Assert.Equal("evaluating synth_ijb (2/2): 30/60 images embedded", reporter.Phase);
        Assert.Null(reporter.Loss);
        Assert.Equal(10, reporter.ImagesPerSecond);
        Assert.Equal(3, reporter.RemainingSeconds);
    }

    [Fact]
    public void The_stored_progress_event_reads_back_and_old_step_lines_still_read()
    {
        EvaluationProgress check = Check(done: 20, runFraction: 0.45, imagesPerSecond: 80, secondsLeft: 11);
        Assert.Equal(check.GlobalStep, Assert.IsType<EvaluationProgress>(JobReporter.Parse(JobReporter.Serialize(check))).GlobalStep);
        // A step line as runs wrote it before checks were counted: no run_fraction.
        const string old = """{"kind":"step","epoch":1,"epochs":2,"step":3,"steps_per_epoch":5,"global_step":3,"total_steps":10,"losses":{"total":1.5},"learning_rate":0.1,"images_per_second":20,"estimated_remaining":"00:00:07","fraction":0.3,"time":"2026-12-01T00:00:00+00:00"}""";
        StepProgress step = Assert.IsType<StepProgress>(System.Text.Json.JsonSerializer.Deserialize<TrainingEvent>(old, EventLog.JsonOptions));
        Assert.Equal(0.3, step.Fraction, 12);
        Assert.Equal(TimeSpan.FromSeconds(7), step.EstimatedRemaining);
        Assert.Null(JobReporter.Parse("{not json"));
    }

    private sealed class ListProgress(List<TrainingEvent> list) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => list.Add(value);
    }
}
