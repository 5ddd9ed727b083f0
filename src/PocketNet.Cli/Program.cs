using PocketNet.Cli.Commands;

namespace PocketNet.Cli;

/// <summary>Entry point of the `pocketnet` command: dispatches the first argument to a verb.</summary>
public static class Program
{
    private static readonly IReadOnlyList<ICommand> Commands =
        [new DoctorCommand(), new ModelsCommand(), new InitCommand()];

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage(Console.Out);
            return args.Length == 0 ? 2 : 0;
        }
        ICommand? command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            Console.Error.WriteLine($"pocketnet: unknown verb '{args[0]}'");
            PrintUsage(Console.Error);
            return 2;
        }
        try
        {
            return command.Run(args[1..], Console.Out);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or DllNotFoundException or PocketNet.Torch.TorchException)
        {
            Console.Error.WriteLine($"pocketnet {command.Name}: {e.Message}");
            return 1;
        }
    }

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("usage: pocketnet <verb> [options]");
        output.WriteLine();
        foreach (ICommand command in Commands) output.WriteLine($"  {command.Name,-10} {command.Summary}");
    }
}
