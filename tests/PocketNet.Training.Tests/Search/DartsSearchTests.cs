using System.Diagnostics;
using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Models.SearchSpace;
using PocketNet.Torch;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;
using PocketNet.Training.Search;
using Xunit.Abstractions;

namespace PocketNet.Training.Tests.Search;

[Collection(GlobalRandomCollection.Name)]
public sealed class DartsSearchTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pocketnet-search-").FullName;

    /// <summary>A supernet small enough for a CPU test: C = 4, 4 cells (three reductions), 4 nodes, 32x32 inputs.</summary>
    internal static SearchOptions TinyOptions(bool secondOrder, int epochs = 2) => new()
    {
        Data = new DataSource("memory", "pattern faces 32x32"),
        Epochs = epochs,
        BatchSize = 8,
        Channels = 4,
        Cells = 4,
        Nodes = 4,
        SecondOrder = secondOrder,
        ValidationBatches = 1,
        // The result is a tiny cell network too, so that it trains in seconds.
        FinalChannels = 4,
        FinalCells = 4,
        FinalEmbedding = 32,
        Device = "cpu",
        LogEverySteps = 1,
        Seed = 5,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATinySearchYieldsAGenotypeThatTrains(bool secondOrder)
    {
        var data = SearchTestData.Faces(identities: 4, imagesPerIdentity: 8, seed: 1); // two steps per epoch at batch 8
        var run = new RunDirectory(Path.Combine(_root, secondOrder ? "second" : "first"));
        long liveBefore = Tensor.LiveCount;
        var clock = Stopwatch.StartNew();
        string model = new DartsSearch(TinyOptions(secondOrder), data, run).Run();
        output.WriteLine($"search: {clock.Elapsed.TotalSeconds:F1} s");
        // Every step's tensors were released by its scope, the networks and optimisers by the search.
        Assert.Equal(liveBefore, Tensor.LiveCount);

        var events = EventLog.Read(run.EventsPath);
        var steps = events.OfType<StepProgress>().ToList();
        Assert.Equal(4, steps.Count);
        Assert.Equal([1, 2, 3, 4], steps.Select(s => s.GlobalStep));
        Assert.All(steps, s => Assert.True(double.IsFinite(s.Losses["train"]) && double.IsFinite(s.Losses["val"])));
        // The cosine: epoch 1 at the full rate, epoch 2 halfway to the minimum.
        Assert.Equal(0.1, steps[0].LearningRate, 12);
        Assert.Equal((0.1 + 0.004) / 2, steps[^1].LearningRate, 12);
        var derived = events.OfType<GenotypeDerived>().ToList();
        Assert.Equal([1, 2], derived.Select(d => d.Epoch));
        Assert.All(derived, d => Assert.InRange(d.ValidationAccuracy, 0, 1));
        Assert.Equal(2, events.OfType<EpochCompleted>().Count());
        Assert.Equal([1, 2], run.Checkpoints());
        foreach (string file in new[] { DartsSearch.SupernetFile, DartsSearch.WeightOptimizerFile, DartsSearch.AlphaOptimizerFile, PocketNet.Training.Runs.CheckpointFiles.PositionFile })
            Assert.True(File.Exists(Path.Combine(run.CheckpointPath(2), file)), $"checkpoint lacks {file}");

        // The result: a valid genotype in the reference's text form, and a model configuration for it.
        var genotype = Genotype.Parse(File.ReadAllText(Path.Combine(model, DartsSearch.GenotypeFile)).Trim());
        genotype.Validate();
        Assert.Equal(genotype, Genotype.Parse(genotype.ToString()));
        Assert.All(genotype.Normal.Concat(genotype.Reduce), node => Assert.Equal(2, node.Count));
        Assert.DoesNotContain(genotype.Normal.Concat(genotype.Reduce).SelectMany(n => n), e => e.Operation == Primitive.None);
        Assert.Contains(derived, d => Genotype.Parse(d.Genotype) == genotype);
        output.WriteLine(genotype.ToString());

        var config = JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(Path.Combine(model, DartsSearch.ConfigFile)), EventLog.JsonOptions)!;
        Assert.Equal(Architecture.CellNetwork, config.Architecture);
        Assert.Equal((4, 4, 32), (config.Channels, config.Cells, config.EmbeddingSize));
        Assert.Equal(genotype, config.ParsedGenotype());

        // The found architecture trains like any model (112x112 faces, one epoch).
        clock.Restart();
        var faces = PatternFaces.TrainingSet(identities: 4, imagesPerIdentity: 8, seed: 2);
        var training = new RunDirectory(Path.Combine(_root, secondOrder ? "train-second" : "train-first"));
        string trained = new RecognitionTrainer(RecognitionTrainerTests.TinyOptions(epochs: 1) with { Model = config }, faces, training).Run();
        output.WriteLine($"training: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(File.Exists(Path.Combine(trained, RecognitionTrainer.WeightsFile)));
        Assert.All(EventLog.Read(training.EventsPath).OfType<StepProgress>(), s => Assert.True(double.IsFinite(s.Losses["total"])));
    }

    [Fact]
    public void AResumedSearchEndsWhereAStraightOneDoes()
    {
        var data = SearchTestData.Faces(identities: 4, imagesPerIdentity: 8, seed: 3);
        var options = TinyOptions(secondOrder: true, epochs: 2);
        var straight = new RunDirectory(Path.Combine(_root, "straight"));
        string straightModel = new DartsSearch(options, data, straight).Run();

        // Cancelled during the second epoch: it restarts from the first epoch's checkpoint.
        var interrupted = new RunDirectory(Path.Combine(_root, "interrupted"));
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new DartsSearch(options, data, interrupted, new StopAt(epoch: 2, step: 1, cancel)).Run(cancel.Token));
        Assert.Equal([1], interrupted.Checkpoints());
        Assert.False(Directory.Exists(interrupted.ModelPath));
        string resumedModel = new DartsSearch(options, data, interrupted).Run();
        // Before its first step the resumed search reports its checkpoint: half of the run, so its bar starts there.
        StepProgress restart = Assert.Single(EventLog.Read(interrupted.EventsPath).OfType<StepProgress>(), s => s.Step == 0);
        Assert.Equal((2, 0.5), (restart.Epoch, restart.Fraction));

        var expected = Curve(straight);
        var resumed = Curve(interrupted);
        Assert.Equal(expected.Length, resumed.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i].Train - resumed[i].Train) < 1e-4, $"step {i + 1} train: {expected[i].Train} vs {resumed[i].Train}");
            Assert.True(Math.Abs(expected[i].Val - resumed[i].Val) < 1e-4, $"step {i + 1} val: {expected[i].Val} vs {resumed[i].Val}");
        }
        Assert.Equal(
            EventLog.Read(straight.EventsPath).OfType<GenotypeDerived>().Select(g => g.Genotype),
            EventLog.Read(interrupted.EventsPath).OfType<GenotypeDerived>().GroupBy(g => g.Epoch).Select(g => g.Last().Genotype));
        Assert.Equal(File.ReadAllText(Path.Combine(straightModel, DartsSearch.GenotypeFile)),
            File.ReadAllText(Path.Combine(resumedModel, DartsSearch.GenotypeFile)));
    }

    /// <summary>Losses per global step, the last record of a step logged twice (before and after a resume).</summary>
    private static (double Train, double Val)[] Curve(RunDirectory run) =>
        EventLog.Read(run.EventsPath).OfType<StepProgress>().Where(s => s.Losses.Count > 0) // not a resume's position report
            .GroupBy(s => s.GlobalStep).OrderBy(g => g.Key)
            .Select(g => (g.Last().Losses["train"], g.Last().Losses["val"])).ToArray();

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
