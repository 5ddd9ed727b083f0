namespace PocketNet.Cli.Commands;

/// <summary>One verb of the command line.</summary>
public interface ICommand
{
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>What `pocketnet VERB --help` prints: the synopsis and every option with its default.</summary>
    string Usage { get; }

    /// <summary>Runs the verb with the arguments after its name; returns the process exit code.</summary>
    int Run(string[] args, TextWriter output);
}
