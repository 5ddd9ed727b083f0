using PocketNet.Application.Training;
using PocketNet.Cli.Distributed;
using PocketNet.Models.Registry;
using PocketNet.Training.Options;
using PocketNet.Training.Recipes;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet train --model M --data FORMAT:PATH --out RUN [options]`: trains a face-embedding network.
/// Ctrl+C stops after the current step; `pocketnet resume RUN` continues from the last epoch checkpoint.
/// </summary>
public sealed class TrainCommand : ICommand
{
    public string Name => "train";

    public string Summary => "train a network (ArcFace, CosFace, KD, multi-step KD) into a run folder";

    public string Usage =>
        $"""
        pocketnet train --model NAME | --genotype G [--channels C --cells N] [--embedding E]
                        --data recordio:DIR | folder:DIR   --out RUN_DIR
                        [--mode arcface|cosface|kd|multistep-kd] [--recipe ms1mv2|casia-webface|FILE.json]
                        [--epochs 26] [--batch 128] [--lr 0.1 (at batch 512)] [--milestones 8,14,20,25]
                        [--optimizer sgd|adamw] [--momentum 0.9 (sgd)] [--weight-decay 5e-4] [--clip 5|none] [--margin M] [--scale S]
                        [--kd-weight 100] [--reference-sine]
                        [--teacher NAME [--teacher-embedding E]] [--teacher-weights FILE]
                        [--teacher-run DIR (multi-step KD; without --teacher, the network that run trained)]
                        [--validation a.bin,b.bin] [--verify-every STEPS] [--seed 0] [--device auto|cpu|cuda:N] [--log-every 10]
                        [--init BACKBONE.safetensors|.pth] [--precision fp32|bf16|fp16 (CUDA, loss scaling)]
                        [--sample-rate 0.1..1.0 (Partial FC: class centres sharded across ranks, this share per step)]
                        {DistributedArguments.Usage}
        """;

    public int Run(string[] args, TextWriter output)
    {
        if (Launcher.TryLaunch(Name, args, output) is int launched) return launched;
        var arguments = new Arguments(Name, args);
        TrainingOptions options = Read(arguments);
        string runFolder = arguments.Required("out", "the run folder to create");
        arguments.EnsureAllUsed();
        Describe(options, output);
        return Execute(output, cancellation => TrainingService.Train(options, runFolder, new ConsoleProgress(output), cancellation));
    }

    internal static TrainingOptions Read(Arguments a)
    {
        ModelConfig model = ModelOptions.Read(a);
        TrainingMode mode = TrainingNames.Mode.Parse(a.Optional("mode") ?? "arcface");
        TrainingRecipe recipe = TrainingRecipe.Resolve(a.Optional("recipe") ?? TrainingRecipe.DefaultName);
        string? teacher = a.Optional("teacher");
        TrainingOptimizer optimizer = TrainingNames.Optimizer.Parse(a.Optional("optimizer") ?? "sgd");
        if (optimizer != TrainingOptimizer.Sgd && a.Optional("momentum") is not null)
            throw new ArgumentException("--momentum applies to --optimizer sgd; AdamW's betas are PyTorch's defaults (0.9, 0.999)");
        TrainingOptions defaults = TrainingOptions.FromRecipe(recipe, mode, model,
            DataSourceParser.Parse(a.Required("data", "FORMAT:PATH of the training images")), a.OptionalInt("epochs"));
        return (defaults with
        {
            Epochs = a.Int("epochs", defaults.Epochs, 1),
            BatchSize = a.Int("batch", defaults.BatchSize, 2),
            LearningRate = a.Double("lr", defaults.LearningRate, 0),
            Optimizer = optimizer,
            Momentum = a.Double("momentum", defaults.Momentum, 0, 1),
            WeightDecay = a.Double("weight-decay", defaults.WeightDecay, 0),
            GradientClip = ReadClip(a, defaults.GradientClip),
            Margin = a.OptionalDouble("margin"),
            Scale = a.Double("scale", defaults.Scale, 0),
            DistillationWeight = a.Double("kd-weight", defaults.DistillationWeight, 0),
            ClampArcFaceSine = !a.Flag("reference-sine"),
            Teacher = teacher is not null ? ModelRegistry.Resolve(teacher, a.OptionalInt("teacher-embedding") ?? model.EmbeddingSize) : TeacherOfRun(a.Optional("teacher-run")),
            TeacherWeights = a.Optional("teacher-weights"),
            TeacherRun = a.Optional("teacher-run"),
            Validation = a.Optional("validation")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            VerifyEverySteps = a.Int("verify-every", 0, 0),
            Seed = a.Int("seed", 0, 0),
            Device = a.Optional("device") ?? "auto",
            LogEverySteps = a.Int("log-every", defaults.LogEverySteps, 1),
            Distributed = DistributedArguments.Read(a),
            InitWeights = a.Optional("init") is { } init ? Path.GetFullPath(init) : null,
            SampleRate = a.OptionalDouble("sample-rate"),
            Precision = TrainingNames.Precision.Parse(a.Optional("precision") ?? "fp32"),
        }).WithMilestones(a.IntList("milestones"));
    }

    /// <summary>Without --teacher, a multi-step teacher is the network its run trained (its run.json), genotype networks included.</summary>
    private static ModelConfig? TeacherOfRun(string? teacherRun) =>
        teacherRun is null ? null : new RunDirectory(teacherRun).ReadOptions<TrainingOptions>().Model;

    /// <summary>--clip NORM, or --clip none to train without clipping (a deviation from every reference script).</summary>
    private static double? ReadClip(Arguments a, double? recipeClip) =>
        string.Equals(a.Optional("clip"), "none", StringComparison.OrdinalIgnoreCase) ? null : a.OptionalDouble("clip") ?? recipeClip;

    /// <summary>What the run follows and where it departs from it, printed before the first step.</summary>
    internal static void Describe(TrainingOptions options, TextWriter output)
    {
        output.WriteLine($"recipe {options.Recipe.Name}: {options.Recipe.Description}");
        foreach (string deviation in options.Deviations) output.WriteLine($"  differs: {deviation}");
    }

    /// <summary>Runs a long job with Ctrl+C mapped to cancellation; prints where the result went.</summary>
    internal static int Execute(TextWriter output, Func<CancellationToken, string> job)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += handler;
        try
        {
            string result = job(cancel.Token);
            output.WriteLine($"done: {result}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            output.WriteLine();
            output.WriteLine("stopped; the last completed epoch's checkpoint is kept — continue with `pocketnet resume RUN_DIR`");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }
}

/// <summary>Parses <c>FORMAT:PATH</c>, e.g. recordio:/data/faces_emore or folder:/data/casia.</summary>
public static class DataSourceParser
{
    public static DataSource Parse(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new ArgumentException($"'{text}' is not FORMAT:PATH (formats: recordio, folder)");
        return new DataSource(text[..colon].ToLowerInvariant(), Path.GetFullPath(text[(colon + 1)..]));
    }
}
