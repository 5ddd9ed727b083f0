using PocketNet.Application.Planning;
using PocketNet.Application.Training;
using PocketNet.Cli.Distributed;
using PocketNet.Data.Registry;
using PocketNet.Training.Options;
using PocketNet.Training.Recognition;

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
                        [--validation NAME|a.bin,...] [--verify-every STEPS] [--seed 0] [--device auto|cpu|cuda:N] [--log-every 10]
                        [--init BACKBONE.safetensors|.pth] [--precision fp32|bf16|fp16 (CUDA, loss scaling)]
                        [--sample-rate 0.1..1.0 (Partial FC: class centres sharded across ranks, this share per step)]
                        [--registry FILE] [--data-root DIR] [--synth-root DIR] (where --validation names are found)
                        {DistributedArguments.Usage}
          defaults left out are the recipe's (epochs and milestones scaled to a shorter run), checked as the portal checks them
        """;

    public int Run(string[] args, TextWriter output)
    {
        if (Launcher.TryLaunch(Name, args, output) is int launched) return launched;
        var arguments = new Arguments(Name, args);
        TrainingOptions options = Plan(arguments);
        string runFolder = arguments.Required("out", "the run folder to create");
        arguments.EnsureAllUsed();
        Describe(options, output);
        return Execute(output, cancellation => TrainingService.Train(options, runFolder, new ConsoleProgress(output), cancellation));
    }

    /// <summary>The run's options: the request the arguments make, planned as the portal plans the same request.</summary>
    public static TrainingOptions Plan(Arguments a)
    {
        TrainingRequest request = ReadRequest(a);
        BenchmarkRegistry? registry = Registry(a, request.Validation);
        return new JobPlanner(new LocalTrainingSets(), registry, PlanningHost.Cli).PlanTraining(request).Options;
    }

    /// <summary>The typed request of `train`'s arguments; what is not given stays null, the recipe's.</summary>
    public static TrainingRequest ReadRequest(Arguments a)
    {
        var (model, genotype) = ModelOptions.ReadNames(a);
        return new TrainingRequest
        {
            Model = model,
            Genotype = genotype,
            Channels = a.OptionalInt("channels"),
            Cells = a.OptionalInt("cells"),
            EmbeddingSize = a.OptionalInt("embedding"),
            Mode = TrainingNames.Mode.Parse(a.Optional("mode") ?? "arcface"),
            Recipe = a.Optional("recipe"),
            TrainingSet = a.Required("data", "FORMAT:PATH of the training images"),
            Epochs = a.OptionalInt("epochs"),
            BatchSize = a.OptionalInt("batch"),
            LearningRate = a.OptionalDouble("lr"),
            Optimizer = a.Optional("optimizer") is { } optimizer ? TrainingNames.Optimizer.Parse(optimizer) : null,
            Milestones = a.IntList("milestones"),
            Momentum = a.OptionalDouble("momentum"),
            WeightDecay = a.OptionalDouble("weight-decay"),
            GradientClip = string.Equals(a.Optional("clip"), "none", StringComparison.OrdinalIgnoreCase) ? 0 : a.OptionalDouble("clip"),
            Margin = a.OptionalDouble("margin"),
            Scale = a.OptionalDouble("scale"),
            DistillationWeight = a.OptionalDouble("kd-weight"),
            ReferenceSine = a.Flag("reference-sine"),
            Teacher = a.Optional("teacher"),
            TeacherEmbeddingSize = a.OptionalInt("teacher-embedding"),
            TeacherWeights = a.Optional("teacher-weights"),
            TeacherRun = a.Optional("teacher-run"),
            Validation = a.Optional("validation")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            VerifyEverySteps = a.Int("verify-every", 0, 0),
            Seed = a.Int("seed", 0, 0),
            Device = a.Optional("device") ?? "auto",
            LogEverySteps = a.OptionalInt("log-every"),
            Distributed = DistributedArguments.Read(a),
            InitWeights = a.Optional("init"),
            SampleRate = a.OptionalDouble("sample-rate"),
            Precision = TrainingNames.Precision.Parse(a.Optional("precision") ?? "fp32"),
        };
    }

    /// <summary>The benchmark registry the validation sets are found in (names, or .bin paths); none when there are none.</summary>
    private static BenchmarkRegistry? Registry(Arguments a, IReadOnlyList<string> validation)
    {
        string? registry = a.Optional("registry"), dataRoot = a.Optional("data-root"), synthRoot = a.Optional("synth-root");
        if (validation.Count == 0) return null;
        return BenchmarkRegistry.Load(registry, BenchmarkRoots.Resolve(dataRoot, synthRoot)).WithPairFiles(validation);
    }

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
