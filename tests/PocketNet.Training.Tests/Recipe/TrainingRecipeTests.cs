using PocketNet.Training.Recipes;
using PocketNet.Training.Recognition;

namespace PocketNet.Training.Tests.Recipe;

/// <summary>The built-in recipes hold the official scripts' values; schedules scale one way; deviations are listed.</summary>
public sealed class TrainingRecipeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pocketnet-recipe-").FullName;

    [Fact]
    public void TheBuiltInRecipesAreTheReferenceConfigs()
    {
        // fdbtrs/PocketNet config/config_PocketNet*.py (emoreKD) and config_example.py (webface), train/train_*.py
        TrainingRecipe ms1mv2 = TrainingRecipe.Find("ms1mv2"), casia = TrainingRecipe.Find("CASIA-WebFace");
        Assert.Equal((26, "8,14,20,25", 85742), (ms1mv2.Epochs, string.Join(",", ms1mv2.Milestones), ms1mv2.Identities!.Value));
        Assert.Equal((34, "20,28,32", 10572), (casia.Epochs, string.Join(",", casia.Milestones), casia.Identities!.Value));
        foreach (TrainingRecipe r in new[] { ms1mv2, casia })
        {
            Assert.Equal((0.1, 128, 0.9, 5e-4, 5.0, 0.1, 0), (r.LearningRate, r.BatchSize, r.Momentum, r.WeightDecay, r.GradientClip, r.Gamma, r.WarmupEpochs));
            Assert.Equal((64.0, 0.5, 100.0), (r.Scale, r.ArcFaceMargin, r.DistillationWeight));
        }
        Assert.Same(ms1mv2, TrainingRecipe.Default);
    }

    [Fact]
    public void TheSearchDefaultsAreTheReferenceNasConfig()
    {
        // fdbtrs/PocketNet NAS/util/config.py: batch_size 128, w_lr 0.1, w_lr_min 0.004, w_momentum 0.9,
        // w_weight_decay 3e-4, w_grad_clip 5, epochs 50, init_channels 16, layers 8, seed 2, alpha_lr 12e-4,
        // alpha_weight_decay 1e-3, stem_multiplier 3, n_nodes 4 (Adam betas (0.5, 0.999) in searchs/search.py)
        var o = new PocketNet.Training.Search.SearchOptions { Data = new DataSource("folder", "/x") };
        Assert.Equal((128, 0.1, 0.004, 0.9, 3e-4, 5.0, 50), (o.BatchSize, o.WeightLearningRate, o.WeightLearningRateMin, o.WeightMomentum, o.WeightDecay, o.GradientClip, o.Epochs));
        Assert.Equal((16, 8, 2, 1.2e-3, 1e-3, 3, 4), (o.Channels, o.Cells, o.Seed, o.AlphaLearningRate, o.AlphaWeightDecay, o.StemMultiplier, o.Nodes));
        Assert.Equal((0.5, 0.999), (o.AlphaBeta1, o.AlphaBeta2));
    }

    [Theory]
    [InlineData(TrainingMode.ArcFace)]
    [InlineData(TrainingMode.CosFace)]
    [InlineData(TrainingMode.Distillation)]
    [InlineData(TrainingMode.MultiStepDistillation)]
    public void EveryModeClipsTheBackboneGradientAtFiveByDefault(TrainingMode mode)
    {
        Assert.Equal(5, Options(mode).GradientClip);
        Assert.Equal(5, new TrainingOptions { Model = RecognitionTrainerTests.TinyModel(), Data = new DataSource("folder", "/x"), Mode = mode }.GradientClip);
    }

    [Theory]
    [InlineData(26, new[] { 8, 14, 20, 25 }, false)]
    [InlineData(13, new[] { 4, 7, 10, 13 }, true)]
    [InlineData(4, new[] { 2, 3, 4 }, true)]     // 8·4/26 = 1.2 falls before epoch 2 and is dropped
    [InlineData(2, new[] { 2 }, true)]           // 20·2/26 = 1.5 and 25·2/26 = 1.9 both round to 2
    [InlineData(1, new int[0], true)]
    [InlineData(30, new[] { 8, 14, 20, 25 }, true)]
    public void ASchedulesShapeIsKeptInAShorterRun(int epochs, int[] milestones, bool noted)
    {
        ScheduleScaling schedule = TrainingRecipe.Default.ScheduleFor(epochs);
        Assert.Equal(milestones, schedule.Milestones);
        Assert.Equal(noted, schedule.Note is not null);
        if (noted) Assert.Contains("ms1mv2 milestones 8,14,20,25 of 26 epochs", schedule.Note);
    }

    [Fact]
    public void DeviationsNameEveryValueThatDiffersFromTheRecipe()
    {
        TrainingOptions asRecipe = Options(TrainingMode.ArcFace);
        Assert.Equal(["ArcFace sine"], asRecipe.Deviations.Select(d => d[..d.IndexOf(':')]));
        Assert.Empty((asRecipe with { ClampArcFaceSine = false }).Deviations);

        TrainingOptions changed = TrainingOptions.FromRecipe(TrainingRecipe.Default, TrainingMode.Distillation, RecognitionTrainerTests.TinyModel(),
            new DataSource("folder", "/x"), epochs: 4) with { BatchSize = 32, GradientClip = null, DistillationWeight = 50, ClampArcFaceSine = false };
        Assert.Equal(["epochs: 4 (recipe 26)",
                      "milestones: 2,3,4 (recipe 8,14,20,25); " + TrainingRecipe.Default.ScheduleFor(4).Note,
                      "batch per process: 32 (recipe 128); the learning rate scales linearly: 0.00625 per step instead of 0.025",
                      "gradient clip: none (recipe 5)",
                      "distillation weight: 50 (recipe 100)"], changed.Deviations);
        Assert.Contains(Options(TrainingMode.CosFace).Deviations, d => d.StartsWith("CosFace: the reference scripts train ArcFace heads only"));
    }

    [Theory]
    [InlineData("{", "not a recipe")]
    [InlineData("""{"name": "x", "epochs": 10, "milestones": [4, 12]}""", "milestones must lie in 1..10")]
    [InlineData("""{"name": "x", "gradient_clip": -1}""", "gradient clip -1 must be positive")]
    [InlineData("""{"name": "x", "milestones": [14, 8]}""", "milestones must be ascending")]
    public void ABadRecipeFileIsRefusedNamingTheFile(string json, string problem)
    {
        string path = Path.Combine(_root, "mine.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => TrainingRecipe.Resolve(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void ARecipeFileOfOnesOwnIsReadAndAnUnknownNameIsRefused()
    {
        string path = Path.Combine(_root, "short.json");
        File.WriteAllText(path, """{"name": "short", "epochs": 6, "milestones": [3, 5], "learning_rate": 0.2}""");
        TrainingRecipe recipe = TrainingRecipe.Resolve(path);
        Assert.Equal(("short", 6, 0.2, 5.0), (recipe.Name, recipe.Epochs, recipe.LearningRate, recipe.GradientClip));
        Assert.Contains("ms1mv2, casia-webface", Assert.Throws<ArgumentException>(() => TrainingRecipe.Resolve("glint360k")).Message.Replace("casia-webface, ms1mv2", "ms1mv2, casia-webface"));
    }

    private static TrainingOptions Options(TrainingMode mode) =>
        TrainingOptions.FromRecipe(TrainingRecipe.Default, mode, RecognitionTrainerTests.TinyModel(), new DataSource("folder", "/x"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
