using PocketNet.Training.Recognition;

namespace PocketNet.Training.Options;

/// <summary>The names of the training options that are enums, and the JSON converters that read and write them by those names.</summary>
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

    /// <summary>The FORMAT of a training set's FORMAT:PATH (the CLI's --data, the portal's Portal:TrainingSets).</summary>
    public static readonly OptionNames<DataFormat> Format = new("data format",
        (DataFormat.RecordIo, "recordio", ["rec", "mxnet"]),
        (DataFormat.Folder, "folder", ["images", "image-folder"]));

    /// <summary>A request's mode as its name ("kd"), not the enum's ("Distillation").</summary>
    public sealed class ModeJson() : OptionNamesJsonConverter<TrainingMode>(Mode);

    public sealed class PrecisionJson() : OptionNamesJsonConverter<TrainingPrecision>(Precision);

    public sealed class DataFormatJson() : OptionNamesJsonConverter<DataFormat>(Format);

    public static readonly OptionNames<TrainingOptimizer> Optimizer = new("optimizer",
        (TrainingOptimizer.Sgd, "sgd", []),
        (TrainingOptimizer.AdamW, "adamw", ["adam-w"]));

    public sealed class OptimizerJson() : OptionNamesJsonConverter<TrainingOptimizer>(Optimizer);
}
