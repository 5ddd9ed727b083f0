using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;
using Xunit.Abstractions;

namespace PocketNet.Training.Tests;

public sealed class RecognitionTrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pocketnet-train-").FullName;

    /// <summary>A PocketNet-shaped network small enough to train in seconds on a CPU: C = 4, 4 cells.</summary>
    internal static ModelConfig TinyModel(int embedding = 32) => ModelRegistry.ForGenotype(Genotype.PocketNet, 4, 4, embedding, "tiny");

    internal static TrainingOptions TinyOptions(int epochs = 3) => new()
    {
        Model = TinyModel(),
        Data = new DataSource("memory", "pattern faces"),
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.1 * 512 / 16 * 0.5, // an effective rate of 0.05 at batch 16
        Milestones = [3],
        Device = "cpu",
        LogEverySteps = 1,
        Seed = 7,
    };

    [Fact]
    public void ATinyArcFaceRunLearns()
    {
        var data = PatternFaces.TrainingSet(identities: 8, imagesPerIdentity: 12, seed: 1);
        var pairs = PatternFaces.Pairs(100, seed: 2);
        var run = new RunDirectory(Path.Combine(_root, "arcface"));
        string model = new RecognitionTrainer(TinyOptions(epochs: 4), data, run, [pairs]).Run();

        var events = EventLog.Read(run.EventsPath);
        var steps = events.OfType<StepProgress>().ToList();
        double first = steps.Take(3).Average(s => s.Losses["ce"]), last = steps.TakeLast(3).Average(s => s.Losses["ce"]);
        var checks = events.OfType<VerificationCheck>().ToList();
        output.WriteLine($"loss {first:F3} -> {last:F3}; verification {string.Join(", ", checks.Select(c => c.Accuracy.ToString("F3")))}");
        Assert.True(last < 0.7 * first, $"loss should fall clearly: {first:F3} -> {last:F3}");
        Assert.True(checks[^1].Accuracy > 0.8, $"verification accuracy {checks[^1].Accuracy:P1} should be well above chance (50 %)");
        Assert.True(File.Exists(Path.Combine(model, RecognitionTrainer.WeightsFile)));
        Assert.Equal([1, 2, 3, 4], run.Checkpoints());
        Assert.Equal(4 * (data.Count / 16), steps[^1].GlobalStep);
    }

    [Theory]
    // The narrowest of the compared compact networks: "same" padding, SE, channel shuffles and their heads train as any registry network.
    [InlineData("ghostfacenet-v1-0.5-2")]
    [InlineData("shufflefacenet-0.5x")]
    public void ACompactRegistryNetworkLearnsWithTheSameTrainer(string name)
    {
        var data = PatternFaces.TrainingSet(identities: 8, imagesPerIdentity: 12, seed: 1);
        var run = new RunDirectory(Path.Combine(_root, name));
        var options = TinyOptions(epochs: 4) with { Model = ModelRegistry.Resolve(name, embeddingSize: 32) };
        new RecognitionTrainer(options, data, run, []).Run();

        var steps = EventLog.Read(run.EventsPath).OfType<StepProgress>().ToList();
        double first = steps.Take(3).Average(s => s.Losses["ce"]), last = steps.TakeLast(3).Average(s => s.Losses["ce"]);
        output.WriteLine($"loss {first:F3} -> {last:F3}");
        Assert.True(last < 0.8 * first, $"loss should fall clearly: {first:F3} -> {last:F3}");
    }

    [Theory]
    [InlineData(TrainingOptimizer.Sgd)]
    [InlineData(TrainingOptimizer.AdamW)] // its checkpoints carry both moments and the step counts of the bias correction
    public void AResumedRunContinuesTheSameLossCurve(TrainingOptimizer optimizer)
    {
        var data = PatternFaces.TrainingSet(identities: 6, imagesPerIdentity: 8, seed: 3);
        TrainingOptions options = optimizer == TrainingOptimizer.Sgd ? TinyOptions(epochs: 3)
            : TinyOptions(epochs: 3) with { Optimizer = optimizer, LearningRate = 2e-3 * TrainingOptions.ReferenceBatchSize / 16, WeightDecay = 0.05 };
        var straight = new RunDirectory(Path.Combine(_root, "straight"));
        new RecognitionTrainer(options, data, straight).Run();

        // Stop during the second epoch, then resume: the second epoch restarts from its checkpoint.
        var interrupted = new RunDirectory(Path.Combine(_root, "interrupted"));
        using var cancel = new CancellationTokenSource();
        var observer = new Progress<TrainingEvent>();
        var stopper = new StopAt(epoch: 2, step: 2, cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => new RecognitionTrainer(options, data, interrupted, observer: stopper).Run(cancel.Token));
        Assert.Equal([1], interrupted.Checkpoints());
        long before = EventLog.Read(interrupted.EventsPath).Count;
        new RecognitionTrainer(options, data, interrupted).Run();

        // The resumed run's first progress is its checkpoint (step 0 of epoch 2, a third of the run), before any step.
        StepProgress restart = EventLog.Read(interrupted.EventsPath).Skip((int)before).OfType<StepProgress>().First();
        long stepsPerEpoch = restart.StepsPerEpoch;
        Assert.Equal((2, 0, stepsPerEpoch), (restart.Epoch, restart.Step, restart.GlobalStep));
        Assert.Empty(restart.Losses);
        Assert.Equal(1.0 / 3, restart.Fraction, 12);

        double[] expected = LossCurve(straight);
        double[] resumed = LossCurve(interrupted);
        Assert.Equal(expected.Length, resumed.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - resumed[i]) < 1e-4, $"step {i + 1}: {expected[i]} vs {resumed[i]}");
    }

    /// <summary>The loss of every global step, taking for a step logged twice (before and after a resume) the last record.</summary>
    private static double[] LossCurve(RunDirectory run) =>
        EventLog.Read(run.EventsPath).OfType<StepProgress>().Where(s => s.Losses.Count > 0) // not a resume's position report
            .GroupBy(s => s.GlobalStep).OrderBy(g => g.Key).Select(g => g.Last().Losses["total"]).ToArray();

    private sealed class StopAt(int epoch, int step, CancellationTokenSource cancel) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value)
        {
            if (value is StepProgress p && p.Epoch == epoch && p.Step == step) cancel.Cancel();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
