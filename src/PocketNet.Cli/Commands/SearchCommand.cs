using PocketNet.Application.Planning;
using PocketNet.Application.Search;
using PocketNet.Application.Training;
using PocketNet.Cli.Distributed;

namespace PocketNet.Cli.Commands;

/// <summary>
/// `pocketnet search --data FORMAT:PATH --out RUN [options]`: DARTS architecture search as PocketNet ran it.
/// The result (model/genotype.txt, model/config.json) trains with `pocketnet train --genotype RUN/model/genotype.txt`.
/// </summary>
public sealed class SearchCommand : ICommand
{
    public string Name => "search";

    public string Summary => "DARTS architecture search; its genotype then trains like any model";

    public string Usage =>
        $"""
        pocketnet search --data recordio:DIR|folder:DIR --out RUN_DIR [--epochs 50] [--batch 128] [--lr 0.1] [--lr-min 0.004]
                         [--alpha-lr 0.0012] [--channels 16] [--cells 8] [--first-order] [--final-channels 16]
                         [--final-cells 18] [--final-embedding 128] [--seed 2] [--device auto] [--log-every 10]
                         {DistributedArguments.Usage}
          defaults are the reference's NAS/util/config.py; the genotype then trains with `train --genotype RUN_DIR/model/genotype.txt`
          --first-order        the first-order architecture gradient instead of the unrolled second-order one
        """;

    /// <summary>The typed request of `search`'s arguments; what is not given stays null, the reference's.</summary>
    public static SearchRequest ReadRequest(Arguments a) => new()
    {
        TrainingSet = a.Required("data", "FORMAT:PATH of the search images (split in halves)"),
        Epochs = a.OptionalInt("epochs"),
        BatchSize = a.OptionalInt("batch"),
        LearningRate = a.OptionalDouble("lr"),
        LearningRateMin = a.OptionalDouble("lr-min"),
        AlphaLearningRate = a.OptionalDouble("alpha-lr"),
        Channels = a.OptionalInt("channels"),
        Cells = a.OptionalInt("cells"),
        SecondOrder = !a.Flag("first-order"),
        FinalChannels = a.OptionalInt("final-channels"),
        FinalCells = a.OptionalInt("final-cells"),
        FinalEmbedding = a.OptionalInt("final-embedding"),
        Seed = a.OptionalInt("seed"),
        Device = a.Optional("device") ?? "auto",
        LogEverySteps = a.OptionalInt("log-every"),
        Distributed = DistributedArguments.Read(a),
    };

    public int Run(string[] args, TextWriter output)
    {
        if (Launcher.TryLaunch(Name, args, output) is int launched) return launched;
        var a = new Arguments(Name, args);
        var (options, _) = new JobPlanner(new LocalTrainingSets(), null, PlanningHost.Cli).PlanSearch(ReadRequest(a));
        string runFolder = a.Required("out", "the run folder to create");
        a.EnsureAllUsed();
        return TrainCommand.Execute(output, cancellation => SearchService.Search(options, runFolder, new ConsoleProgress(output), cancellation));
    }
}
