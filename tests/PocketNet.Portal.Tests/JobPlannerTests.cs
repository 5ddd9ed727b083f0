using Microsoft.Extensions.Options;
using PocketNet.Application.Planning;
using PocketNet.Application.Training;
using PocketNet.Portal.Catalog;
using PocketNet.Portal.Tests.Support;
using PocketNet.Torch;
using PocketNet.Training.Options;
using PocketNet.Training.Recipes;
using PocketNet.Training.Recognition;

namespace PocketNet.Portal.Tests;

/// <summary>JobPlanner: the paper's learning-rate schedule scaled to short runs, devices and modes parsed, fields named in errors.</summary>
public sealed class JobPlannerTests
{
    private static readonly JobPlanner Planner =
        new(new TrainingSetCatalog(Options.Create(new PortalOptions()), TestStore.Registry), TestStore.Registry, PlanningHost.Portal(devicesHere: true));

    private static IReadOnlyList<int> Milestones(int epochs) =>
        Planner.PlanTraining(TinyRuns.Training(epochs: epochs)).Options.Milestones;

    [Theory]
    [InlineData(26)]
    [InlineData(40)]
    public void From_26_epochs_the_milestones_are_the_papers(int epochs) =>
        Assert.Equal([8, 14, 20, 25], Milestones(epochs));

    [Theory]
    [InlineData(1, new int[0])]
    [InlineData(2, new[] { 2 })]
    [InlineData(4, new[] { 2, 3, 4 })]
    [InlineData(13, new[] { 4, 7, 10, 13 })]
    [InlineData(25, new[] { 8, 13, 19, 24 })]
    public void Shorter_runs_get_the_papers_milestones_scaled_to_their_length(int epochs, int[] expected) =>
        Assert.Equal(expected, Milestones(epochs));

    [Fact]
    public void Scaled_milestones_ascend_within_the_run_never_drop_the_rate_from_the_first_epoch_and_sit_where_the_paper_would()
    {
        int[] paper = [8, 14, 20, 25];
        for (int epochs = 1; epochs < 26; epochs++)
        {
            IReadOnlyList<int> milestones = Milestones(epochs);
            Assert.All(milestones, m => Assert.InRange(m, 2, epochs));
            Assert.Equal(milestones.Order().Distinct(), milestones);
            foreach (int m in paper)
            {
                double scaled = m * epochs / 26.0;
                if (scaled >= 1.5) Assert.Contains(milestones, x => Math.Abs(x - scaled) <= 0.5);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    public void The_portal_plans_the_schedule_the_cli_plans(int epochs)
    {
        TrainingOptions portal = Planner.PlanTraining(TinyRuns.Training(epochs: epochs)).Options;
        TrainingOptions cli = TrainingOptions.FromRecipe(TrainingRecipe.Default, TrainingMode.ArcFace, portal.Model, portal.Data, epochs);
        Assert.Equal(cli.Milestones, portal.Milestones);
        Assert.Equal(cli.ScheduleNote, portal.ScheduleNote);
        Assert.Equal(cli.GradientClip, portal.GradientClip);
    }

    [Fact]
    public void A_recipe_is_chosen_by_name_and_an_unknown_one_is_refused_naming_the_field()
    {
        TrainingOptions casia = Planner.PlanTraining(TinyRuns.Training(epochs: 34) with { Recipe = "casia-webface" }).Options;
        Assert.Equal([20, 28, 32], casia.Milestones);
        var error = Assert.Throws<ArgumentException>(() => Planner.PlanTraining(TinyRuns.Training(epochs: 3) with { Recipe = "/etc/passwd.json" }));
        Assert.StartsWith("recipe: '/etc/passwd.json' is not one of", error.Message);
    }

    [Fact]
    public void Milestones_given_in_the_request_are_kept() =>
        Assert.Equal([3], Planner.PlanTraining(TinyRuns.Training(epochs: 5) with { Milestones = [3] }).Options.Milestones);

    [Fact]
    public void A_plan_carries_the_request_into_the_training_options()
    {
        TrainingOptions options = Planner.PlanTraining(TinyRuns.Training(epochs: 3) with { BatchSize = 16, LearningRate = 0.05, Seed = 9 }).Options;
        Assert.Equal(3, options.Epochs);
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(0.05, options.LearningRate);
        Assert.Equal(9, options.Seed);
        Assert.Equal("cpu", options.Device);
        Assert.Equal(TrainingMode.ArcFace, options.Mode);
        Assert.Equal(32, options.Model.EmbeddingSize);
        Assert.Equal(5, options.GradientClip); // the official train_arc.py clips ArcFace training too
        Assert.Equal("ms1mv2", options.Recipe.Name);
        Assert.Single(options.Validation);
        Assert.EndsWith("lfw.bin", options.Validation[0]);
    }

    [Fact]
    public void The_optimizer_and_weight_decay_reach_the_options_and_default_to_the_recipes()
    {
        TrainingOptions adamW = Planner.PlanTraining(TinyRuns.Training(epochs: 3) with { Optimizer = TrainingOptimizer.AdamW, WeightDecay = 0.05 }).Options;
        Assert.Equal(TrainingOptimizer.AdamW, adamW.Optimizer);
        Assert.Equal(0.05, adamW.WeightDecay);
        Assert.Contains(adamW.Deviations, d => d.StartsWith("optimizer: AdamW", StringComparison.Ordinal));
        TrainingOptions plain = Planner.PlanTraining(TinyRuns.Training(epochs: 3)).Options;
        Assert.Equal(TrainingOptimizer.Sgd, plain.Optimizer);
        Assert.Equal(5e-4, plain.WeightDecay);

        // Names are read by the one alias table (the API's JSON, the form, the CLI).
        Assert.Equal(TrainingOptimizer.AdamW, TrainingNames.Optimizer.Parse(" AdamW "));
        Assert.Equal("optimizer: 'adam' is not sgd or adamw", Assert.Throws<ArgumentException>(() => TrainingNames.Optimizer.Parse("adam")).Message);
        Assert.StartsWith("weight decay: 2 ",
            Assert.Throws<ArgumentException>(() => Planner.PlanTraining(TinyRuns.Training(epochs: 3) with { WeightDecay = 2 })).Message);
        Assert.StartsWith("momentum: AdamW has no momentum",
            Assert.Throws<ArgumentException>(() => Planner.PlanTraining(TinyRuns.Training(epochs: 3) with { Optimizer = TrainingOptimizer.AdamW, Momentum = 0.9 })).Message);
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("Cpu", "cpu")]
    public void Devices_resolve_to_their_canonical_names(string asked, string resolved) =>
        Assert.Equal(resolved, JobPlanner.ResolveDevice(asked));

    [Theory]
    [InlineData("auto")]
    [InlineData("")]
    [InlineData("  ")]
    public void Auto_picks_the_first_gpu_or_the_cpu(string asked) =>
        Assert.Equal(Engine.CudaDeviceCount > 0 ? "cuda:0" : "cpu", JobPlanner.ResolveDevice(asked));

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:one")]
    [InlineData("cuda0")]
    [InlineData("tpu:0")]
    public void Devices_that_do_not_parse_are_refused_naming_the_field(string asked)
    {
        var error = Assert.Throws<ArgumentException>(() => JobPlanner.ResolveDevice(asked));
        Assert.StartsWith("device: ", error.Message);
        Assert.Contains(asked, error.Message);
    }

    [Fact]
    public void A_gpu_the_host_does_not_have_is_refused()
    {
        string missing = $"cuda:{Engine.CudaDeviceCount}";
        var error = Assert.Throws<ArgumentException>(() => JobPlanner.ResolveDevice(missing));
        Assert.StartsWith("device: ", error.Message);
        Assert.Contains("not available", error.Message);
    }

    [Theory]
    [InlineData("arcface", TrainingMode.ArcFace)]
    [InlineData(" ArcFace ", TrainingMode.ArcFace)]
    [InlineData("cosface", TrainingMode.CosFace)]
    [InlineData("kd", TrainingMode.Distillation)]
    [InlineData("distillation", TrainingMode.Distillation)]
    [InlineData("multistep-kd", TrainingMode.MultiStepDistillation)]
    [InlineData("multi-step-kd", TrainingMode.MultiStepDistillation)]
    [InlineData("multistep", TrainingMode.MultiStepDistillation)] // the CLI's alias: one table (TrainingNames) for both now
    public void Modes_parse_by_their_names(string asked, TrainingMode mode) => Assert.Equal(mode, TrainingNames.Mode.Parse(asked));

    [Fact]
    public void An_unknown_mode_is_refused_listing_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingNames.Mode.Parse("triplet"));
        Assert.Equal("mode: 'triplet' is not arcface, cosface, kd or multistep-kd", error.Message);
    }

    [Fact]
    public void A_registry_model_resolves_with_the_asked_embedding_size()
    {
        var config = Planner.ResolveModel(new TrainingRequest { Model = "pocketnet-m-256", TrainingSet = "SynthFaces", EmbeddingSize = 512 });
        Assert.Equal(512, config.EmbeddingSize);
        Assert.Equal(32, config.Channels);
    }

    [Fact]
    public void A_genotype_network_defaults_to_the_papers_width_and_depth()
    {
        var config = Planner.ResolveModel(new TrainingRequest { Genotype = TinyRuns.Genotype, TrainingSet = "SynthFaces" });
        Assert.Equal(16, config.Channels);
        Assert.Equal(18, config.Cells);
        Assert.Equal(128, config.EmbeddingSize);
    }
}
