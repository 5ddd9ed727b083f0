namespace PocketNet.Torch;

/// <summary>
/// How many intra-op threads a process gives libtorch: POCKETNET_THREADS when set; otherwise every core for a process
/// that only computes (the CLI, a worker host), and one core fewer for a process that also serves pages, so that the
/// web server and the live updates keep a core while a job trains (issue 10 measured a portal process training at
/// 0.4 images/s with 2 threads on the 2-core machine and at 4.0 with 1). With OpenMP's PASSIVE wait policy (see
/// OpenMpPolicy) throughput then degrades with the load instead of collapsing.
/// </summary>
public static class EngineThreads
{
    public const string Variable = "POCKETNET_THREADS";

    /// <param name="servesPages">The process also answers web requests.</param>
    public static int Choose(bool servesPages = false)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(Variable), out int configured) && configured > 0) return configured;
        int cores = Environment.ProcessorCount;
        return servesPages && cores > 1 ? cores - 1 : cores;
    }

    /// <summary>Sets <see cref="Engine.Threads"/> by <see cref="Choose"/> and returns the count.</summary>
    public static int Apply(bool servesPages = false)
    {
        int threads = Choose(servesPages);
        if (Engine.Threads != threads) Engine.Threads = threads;
        return threads;
    }
}
