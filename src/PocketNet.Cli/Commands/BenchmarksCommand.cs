using PocketNet.Data.Registry;

namespace PocketNet.Cli.Commands;

/// <summary>`pocketnet benchmarks [--data-root DIR] [--synth-root DIR] [--check]`: the registry and whether each benchmark's files are there.</summary>
public sealed class BenchmarksCommand : ICommand
{
    public string Name => "benchmarks";

    public string Summary => "the benchmark registry and each entry's status (files present, readable, counts)";

    public string Usage =>
        """
        pocketnet benchmarks [--check] [--registry FILE] [--data-root DIR] [--synth-root DIR]
          --check              also open each benchmark's files and count pairs, templates and images
          --registry FILE      the benchmark registry (default: data/benchmarks.json)
          --data-root DIR      root of the real benchmarks (default: $POCKETNET_DATA)
          --synth-root DIR     root of the SynthFaces stand-ins (default: $POCKETNET_SYNTH_DATA or data/synth)
        """;

    public int Run(string[] args, TextWriter output)
    {
        var a = new Arguments(Name, args);
        bool open = a.Flag("check");
        BenchmarkRegistry registry = OpenRegistry(a);
        a.EnsureAllUsed();
        output.WriteLine($"registry {registry.Source}; real data under {registry.Roots.DataRoot}, synthetic under {registry.Roots.SynthRoot}");
        output.WriteLine($"{"name",-16} {"protocol",-9} {"data",-10} status");
        foreach (BenchmarkStatus status in registry.CheckAll(openData: open))
        {
            output.WriteLine($"{status.Name,-16} {status.Protocol,-9} {(status.IsSynthetic ? "synthetic" : "real"),-10} {status.Summary()}");
        }
        if (!open) output.WriteLine("(add --check to open each ready benchmark and count its contents)");
        return 0;
    }

    /// <summary>The registry with roots from --data-root / --synth-root, else the environment, else data/.</summary>
    internal static BenchmarkRegistry OpenRegistry(Arguments a) =>
        BenchmarkRegistry.Load(a.Optional("registry"), BenchmarkRoots.Resolve(a.Optional("data-root"), a.Optional("synth-root")));
}
