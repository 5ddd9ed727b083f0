using PocketNet.Training.Recognition;

namespace PocketNet.Training.Options;

/// <summary>The names of the training options that are enums.</summary>
public static class TrainingNames
{
    public static readonly OptionNames<TrainingMode> Mode = new("mode",
        (TrainingMode.ArcFace, "arcface", []),
        (TrainingMode.CosFace, "cosface", []),
        (TrainingMode.Distillation, "kd", ["distillation"]),
        (TrainingMode.MultiStepDistillation, "multistep-kd", ["multi-step-kd", "multistep", "multistepdistillation"]));

    public static readonly OptionNames<TrainingPrecision> Precision = new("precision",
        (TrainingPrecision.Fp32, "fp32", ["float32"]),
        (TrainingPrecision.Bf16, "bf16", ["bfloat16"]),
        (TrainingPrecision.Fp16, "fp16", ["float16", "half"]));

    public static readonly OptionNames<TrainingOptimizer> Optimizer = new("optimizer",
        (TrainingOptimizer.Sgd, "sgd", []),
        (TrainingOptimizer.AdamW, "adamw", ["adam-w"]));
}
