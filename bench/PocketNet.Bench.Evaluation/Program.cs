namespace PocketNet.Bench.Evaluation;

/// <summary>Evaluation benchmarks: <c>ijbc</c> and <c>megaface</c> (results: the Evaluation section of bench/RESULTS.md).</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            Console.WriteLine("usage: pocketnet-bench-evaluation <verb> [options]");
            Console.WriteLine();
            Console.WriteLine(IjbcBenchmark.Usage);
            Console.WriteLine(MegaFaceBenchmark.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var options = new Options(args.Skip(1));
            return args[0] switch
            {
                "ijbc" => IjbcBenchmark.Run(options),
                "megaface" => MegaFaceBenchmark.Run(options),
                _ => throw new ArgumentException($"unknown verb '{args[0]}' (ijbc, megaface)"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
