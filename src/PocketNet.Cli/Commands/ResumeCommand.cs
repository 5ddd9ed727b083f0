using PocketNet.Application.Training;
using PocketNet.Cli.Distributed;
using PocketNet.Training.Runs;

namespace PocketNet.Cli.Commands;

/// <summary>`pocketnet resume RUN_DIR`: continues a stopped training run or search from its newest checkpoint.</summary>
public sealed class ResumeCommand : ICommand
{
    public string Name => "resume";

    public string Summary => "continue a stopped run or search from its last checkpoint (resume RUN_DIR)";

    public string Usage =>
        """
        pocketnet resume RUN_DIR
          continues a stopped training run or search from its newest epoch checkpoint, with the options in RUN_DIR/run.json
        """;

    public int Run(string[] args, TextWriter output)
    {
        if (Launcher.TryLaunch(Name, args, output) is int launched) return launched;
        var arguments = new Arguments(Name, args);
        arguments.EnsureAllUsed(positionalAllowed: 1);
        if (arguments.Positional.Count != 1) throw new ArgumentException("resume: give the run folder, e.g. pocketnet resume runs/s128");
        string folder = arguments.Positional[0];
        if (!File.Exists(Path.Combine(folder, RunDirectory.OptionsFile)))
            throw new ArgumentException($"resume: {folder} is not a run folder ({RunDirectory.OptionsFile} is missing)");
        return TrainCommand.Execute(output, cancellation => RunKinds.IsSearch(folder)
            ? SearchService.Resume(folder, new ConsoleProgress(output), cancellation)
            : TrainingService.Resume(folder, new ConsoleProgress(output), cancellation));
    }
}
