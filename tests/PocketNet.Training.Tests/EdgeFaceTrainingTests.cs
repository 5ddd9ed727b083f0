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
        // The house recipe (SGD with momentum, ArcFace s = 64, m = 0.5), as for PocketNet.
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

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
