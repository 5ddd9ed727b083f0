using PocketNet.Models.EdgeFace;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;
using Xunit.Abstractions;

namespace PocketNet.Training.Tests;

/// <summary>EdgeFace trains with the ArcFace trainer like any registry network, and its saved model folder reloads.</summary>
public sealed class EdgeFaceTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pocketnet-edgeface-").FullName;

    /// <summary>
    /// Every EdgeFace part (conv and SDTA encoders, positional encoding, attention, low-rank linear layers, head) at
    /// widths 8-32, one or two blocks per stage: trains in seconds on a CPU.
    /// </summary>
    private static ModelConfig TinyEdgeFace => new()
    {
        Architecture = Architecture.EdgeFace,
        EdgeFace = new EdgeFaceVariant([8, 16, 24, 32], [1, 2, 2, 1], Heads: 2, RankRatio: 0.5),
        EmbeddingSize = 32,
        Name = "tiny-edgeface",
    };

    [Fact]
    public void ATinyEdgeFaceLearnsWithArcFaceAndItsModelFolderReloads()
    {
        var data = PatternFaces.TrainingSet(identities: 8, imagesPerIdentity: 12, seed: 1);
        var run = new RunDirectory(Path.Combine(_root, "arcface"));
        // The house recipe (SGD with momentum, ArcFace s = 64, m = 0.5), as for PocketNet. Its loss falls from the random
        // start only to about the collapse floor (s·sin m + ln 7 = 32.6): with layer scales of 1e-6 SGD leaves the blocks
        // switched off. That EdgeFace learns is the AdamW test's to show; this one is about the trainer and the folder.
        TrainingOptions options = RecognitionTrainerTests.TinyOptions(epochs: 4) with { Model = TinyEdgeFace };
        string model = new RecognitionTrainer(options, data, run).Run();

        var steps = EventLog.Read(run.EventsPath).OfType<StepProgress>().ToList();
        double first = steps.Take(3).Average(s => s.Losses["ce"]), last = steps.TakeLast(3).Average(s => s.Losses["ce"]);
        output.WriteLine($"loss {first:F3} -> {last:F3} over {steps.Count} steps");
        Assert.All(steps, s => Assert.True(double.IsFinite(s.Losses["ce"])));
        Assert.True(last < 0.8 * first, $"loss should fall: {first:F3} -> {last:F3}");

        // config.json carries the variant, so the folder rebuilds the same network and its weights load strictly.
        TrainedModelConfig trained = TrainedModelConfig.TryParse(File.ReadAllText(Path.Combine(model, RecognitionTrainer.ConfigFile)))!;
        Assert.Equal(TinyEdgeFace.EdgeFace, trained.Model.EdgeFace);
        using Module<Tensor, Tensor> reloaded = ModelRegistry.Create(trained.Model);
        WeightFiles.LoadModule(reloaded, Path.Combine(model, RecognitionTrainer.WeightsFile));
        Assert.Contains(reloaded.StateDict(), kv => kv.Key == "model.stages.1.blocks.1.pos_embd.token_projection.weight");
    }

    [Fact]
    public void ATinyEdgeFaceLearnsToVerifyWithCosFaceAndAdamW()
    {
        var data = PatternFaces.TrainingSet(identities: 8, imagesPerIdentity: 12, seed: 1);
        var pairs = PatternFaces.Pairs(100, seed: 2);
        var run = new RunDirectory(Path.Combine(_root, "adamw"));
        // EdgeFace's recipe: AdamW with decoupled weight decay, an effective rate of 2e-3 at batch 16.
        TrainingOptions options = RecognitionTrainerTests.TinyOptions(epochs: 4) with
        {
            Model = TinyEdgeFace,
            Mode = TrainingMode.CosFace,
            Optimizer = TrainingOptimizer.AdamW,
            LearningRate = 2e-3 * TrainingOptions.ReferenceBatchSize / 16,
            WeightDecay = 0.05,
        };
        new RecognitionTrainer(options, data, run, [pairs]).Run();

        var events = EventLog.Read(run.EventsPath);
        var steps = events.OfType<StepProgress>().ToList();
        var checks = events.OfType<VerificationCheck>().ToList();
        // The collapse floor: an embedding orthogonal to every class centre scores s·m + ln(classes − 1).
        double floor = options.Scale * options.EffectiveMargin + Math.Log(data.ClassCount - 1);
        double last = steps.TakeLast(3).Average(s => s.Losses["ce"]);
        output.WriteLine($"loss {steps[0].Losses["ce"]:F3} -> {last:F3} (collapse floor {floor:F2}); verification {string.Join(", ", checks.Select(c => c.Accuracy.ToString("F3")))}");
        Assert.True(last < 0.5 * floor, $"loss {last:F3} should be well below the collapse floor {floor:F2}");
        Assert.True(checks[^1].Accuracy > 0.6, $"verification accuracy {checks[^1].Accuracy:P1} should be clearly above chance (50 %)");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
