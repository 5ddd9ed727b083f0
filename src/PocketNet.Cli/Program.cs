using PocketNet.Cli.Commands;

namespace PocketNet.Cli;

/// <summary>Entry point of the `pocketnet` command: dispatches the first argument to a verb.</summary>
public static class Program
{
    private static readonly IReadOnlyList<ICommand> Commands =
        [
            new DoctorCommand(), new ModelsCommand(), new InitCommand(), new EmbedCommand(), new TrainCommand(), new SearchCommand(),
            new ResumeCommand(), new SynthCommand(), new BenchmarksCommand(), new EvalCommand(), new ExportCommand(), new LatencyCommand(), new QuantizeCommand(),
        ];

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs one verb, writing its output and errors to the given writers; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help" && args.Length == 1)
        {
            PrintUsage(args.Length == 0 ? error : output);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "--version")
        {
            output.WriteLine(VersionLine());
            return 0;
        }
        // `pocketnet help VERB` and `pocketnet VERB --help` print the verb's options with their defaults.
        bool help = args[0] == "help" || args.Skip(1).Any(a => a is "-h" or "--help");
        string verb = args[0] == "help" ? args[1] : args[0];
        ICommand? command = Commands.FirstOrDefault(c => c.Name == verb);
        if (command is not null && help)
        {
            output.WriteLine($"{command.Name}: {command.Summary}");
            output.WriteLine();
            output.WriteLine(command.Usage);
            return 0;
        }
        if (command is null)
        {
            error.WriteLine($"pocketnet: unknown verb '{verb}'");
            PrintUsage(error);
            return 2;
        }
        try
        {
            ConfigureEngine();
            return command.Run(args[1..], output);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or KeyNotFoundException
                                      or DllNotFoundException or FormatException or PocketNet.Torch.TorchException)
        {
            error.WriteLine($"pocketnet {command.Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// libtorch as Debian builds it starts with one intra-op thread; a training or evaluation run uses every core
    /// unless POCKETNET_THREADS says otherwise (EngineThreads). Freed memory stays in the process (see
    /// Engine.KeepFreedMemory): a run's resident memory sits at its peak instead of being faulted in again every step.
    /// </summary>
    private static void ConfigureEngine()
    {
        PocketNet.Torch.Engine.KeepFreedMemory();
        PocketNet.Torch.EngineThreads.Apply();
    }

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("usage: pocketnet <verb> [options]     pocketnet <verb> --help: the verb's options and defaults");
        output.WriteLine("       pocketnet --version");
        output.WriteLine();
        foreach (ICommand command in Commands) output.WriteLine($"  {command.Name,-10} {command.Summary}");
    }

    /// <summary>The tool's version (and the commit it was built from, when the build could ask git) and the .NET runtime.</summary>
    private static string VersionLine()
    {
        string version = typeof(Program).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        return $"pocketnet {version} (.NET {Environment.Version}); `pocketnet doctor` shows libtorch and the devices";
    }
}
