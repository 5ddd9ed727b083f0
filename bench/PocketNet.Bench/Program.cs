using PocketNet.Bench;

// Verb dispatch: `pocketnet-bench <verb> [options]`. A new benchmark is one IBenchmark class added to
// the list below; options, help and the result file conventions come from the shared helpers.
IBenchmark[] benchmarks =
[
    new EngineBenchmark(),
];

if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
{
    if (args.Length > 1 && benchmarks.FirstOrDefault(b => b.Name == args[1]) is { } wanted)
    {
        Console.WriteLine(wanted.Usage);
        return 0;
    }
    Console.WriteLine("usage: dotnet run -c Release --project bench/PocketNet.Bench -- <benchmark> [options]");
    Console.WriteLine();
    Console.WriteLine("benchmarks:");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-12} {b.Summary}");
    Console.WriteLine();
    Console.WriteLine("`help <benchmark>` or `<benchmark> --help` lists a benchmark's options.");
    return args.Length == 0 ? 2 : 0;
}

IBenchmark? benchmark = benchmarks.FirstOrDefault(b => b.Name == args[0]);
if (benchmark is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}

var options = new Options(args.Skip(1));
if (options.Flag("help"))
{
    Console.WriteLine(benchmark.Usage);
    return 0;
}
try
{
    return benchmark.Run(options);
}
catch (OptionException e)
{
    Console.Error.WriteLine($"{benchmark.Name}: {e.Message}");
    Console.Error.WriteLine(benchmark.Usage);
    return 2;
}
catch (Exception e) when (e is InvalidOperationException or IOException)
{
    // A failed reference run or a mismatch between the two sides: the message says which.
    Console.Error.WriteLine($"{benchmark.Name} failed: {e.Message}");
    return 1;
}
