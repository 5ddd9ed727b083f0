using PocketNet.Application.Training;
using PocketNet.Cli.Distributed;
using PocketNet.Training.Search;

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

    public int Run(string[] args, TextWriter output)
    {
        if (Launcher.TryLaunch(Name, args, output) is int launched) return launched;
        var a = new Arguments(Name, args);
        var defaults = new SearchOptions { Data = new("", "") };
        var options = new SearchOptions
        {
            Data = DataSourceParser.Parse(a.Required("data", "FORMAT:PATH of the search images (split in halves)")),
            Epochs = a.Int("epochs", defaults.Epochs, 1),
            BatchSize = a.Int("batch", defaults.BatchSize, 2),
            WeightLearningRate = a.Double("lr", defaults.WeightLearningRate, 0),
            WeightLearningRateMin = a.Double("lr-min", defaults.WeightLearningRateMin, 0),
            AlphaLearningRate = a.Double("alpha-lr", defaults.AlphaLearningRate, 0),
            Channels = a.Int("channels", defaults.Channels, 2),
            Cells = a.Int("cells", defaults.Cells, 3),
            SecondOrder = !a.Flag("first-order"),
            FinalChannels = a.Int("final-channels", defaults.FinalChannels, 2),
            FinalCells = a.Int("final-cells", defaults.FinalCells, 4),
            FinalEmbedding = a.Int("final-embedding", defaults.FinalEmbedding, 1),
            Seed = a.Int("seed", defaults.Seed, 0),
            Device = a.Optional("device") ?? defaults.Device,
            LogEverySteps = a.Int("log-every", defaults.LogEverySteps, 1),
            Distributed = DistributedArguments.Read(a),
        };
        string runFolder = a.Required("out", "the run folder to create");
        a.EnsureAllUsed();
        return TrainCommand.Execute(output, cancellation => SearchService.Search(options, runFolder, new ConsoleProgress(output), cancellation));
    }
}
