using System.Diagnostics;
using System.Globalization;

namespace PocketNet.Bench.Models;

/// <summary>
/// How much of the machine other processes used while one iteration ran: the CPU time all processes spent
/// (from /proc/stat) minus the CPU time of the bench's two processes, as a fraction of (wall time x CPUs).
/// On a shared machine this tells a clean sample from one that competed for the cores (with OpenMP a busy
/// core slows every thread of a parallel region down to its slowest one, so even a modest share hurts).
/// </summary>
public sealed class LoadProbe
{
    private readonly long _busyTicks;
    private readonly TimeSpan _ownCpu;
    private readonly long _start;

    private LoadProbe()
    {
        _ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _busyTicks = BusyTicks();
        _start = Stopwatch.GetTimestamp();
    }

    public static LoadProbe Start() => new();

    /// <summary>The share of all CPUs used by other processes since <see cref="Start"/> (NaN where /proc/stat is unreadable).</summary>
    /// <param name="otherBenchCpuMs">CPU time the python side reported for its iteration, when it ran this one.</param>
    public double OtherLoad(double otherBenchCpuMs = 0)
    {
        double wallMs = Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
        long busy = BusyTicks();
        double ownMs = (Process.GetCurrentProcess().TotalProcessorTime - _ownCpu).TotalMilliseconds;
        if (busy < 0 || _busyTicks < 0 || wallMs <= 0) return double.NaN;
        double busyMs = (busy - _busyTicks) * 1000.0 / TicksPerSecond;
        return Math.Clamp((busyMs - ownMs - otherBenchCpuMs) / (wallMs * Environment.ProcessorCount), 0, 1);
    }

    /// <summary>
    /// Waits, in windows of half a second, until other processes use less than <paramref name="threshold"/> of
    /// the CPUs, or until <paramref name="limit"/> has passed; returns the time waited.
    /// </summary>
    public static TimeSpan WaitForQuiet(TimeSpan limit, double threshold = 0.1)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            var probe = Start();
            Thread.Sleep(500);
            if (!(probe.OtherLoad() >= threshold)) break;
        }
        return waited.Elapsed;
    }

    // USER_HZ: 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>Non-idle ticks of all CPUs (user, nice, system, irq, softirq, steal), or -1.</summary>
    private static long BusyTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            string? line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return -1;
            long[] v = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8)
                .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal
            return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
