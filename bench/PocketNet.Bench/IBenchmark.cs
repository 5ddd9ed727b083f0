namespace PocketNet.Bench;

/// <summary>One verb of the bench tool.</summary>
public interface IBenchmark
{
    /// <summary>The verb on the command line, e.g. "engine".</summary>
    string Name { get; }

    /// <summary>One line for the verb list.</summary>
    string Summary { get; }

    /// <summary>Options and what the benchmark measures, for `--help`.</summary>
    string Usage { get; }

    /// <summary>Runs the benchmark; the return value is the process exit code.</summary>
    int Run(Options options);
}
