using PocketNet.Training.Options;
using PocketNet.Training.Recognition;

namespace PocketNet.Training.Tests;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void TheOptimizerParsesByItsNamesAndImpossibleDecaysAreRefused()
    {
        Assert.Equal(TrainingOptimizer.AdamW, TrainingNames.Optimizer.Parse(" ADAMW "));
        Assert.Equal(TrainingOptimizer.Sgd, TrainingNames.Optimizer.Parse("sgd"));
        Assert.Equal("optimizer: 'adam' is not sgd or adamw", Assert.Throws<ArgumentException>(() => TrainingNames.Optimizer.Parse("adam")).Message);

        TrainingOptions adamW = RecognitionTrainerTests.TinyOptions() with { Optimizer = TrainingOptimizer.AdamW, WeightDecay = 0.05 };
        adamW.Validate();
        // AdamW multiplies weights by 1 - lr·wd each step: at 1 or more they vanish or flip sign.
        var zeroing = adamW with { LearningRate = 512, BatchSize = 32, WeightDecay = 0.5 }; // 32 per step
        Assert.Contains("zeroes them", Assert.Throws<ArgumentException>(zeroing.Validate).Message);
        Assert.Contains("weight decay must lie in [0, 1)", Assert.Throws<ArgumentException>((adamW with { WeightDecay = -0.1 }).Validate).Message);
    }

    [Fact]
    public void AnSgdRunWritesNoOptimizerAndOnlyAdamWIsADeviation()
    {
        TrainingOptions sgd = RecognitionTrainerTests.TinyOptions();
        // run.json of an SGD run is as before the option existed, and one without the field reads as SGD.
        Assert.DoesNotContain("\"optimizer\"", System.Text.Json.JsonSerializer.Serialize(sgd, PocketNet.Training.Progress.EventLog.JsonOptions));
        Assert.DoesNotContain(sgd.Deviations, d => d.StartsWith("optimizer", StringComparison.Ordinal));
        TrainingOptions adamW = sgd with { Optimizer = TrainingOptimizer.AdamW };
        Assert.Contains("\"optimizer\":\"AdamW\"", System.Text.Json.JsonSerializer.Serialize(adamW, PocketNet.Training.Progress.EventLog.JsonOptions));
        Assert.Contains(adamW.Deviations, d => d.StartsWith("optimizer: AdamW", StringComparison.Ordinal));
    }
}
