using System.Diagnostics;

namespace PocketNet.Bench.Models;

/// <summary>
/// Times the phases of one iteration: <see cref="Mark"/> closes the phase that started at the previous mark.
/// On CUDA each mark waits for the device first, so a phase is charged with its own kernels (on the CPU every
/// libtorch call returns when its work is done, so no wait is needed).
/// </summary>
public sealed class PhaseClock
{
    private readonly Action _synchronize;
    private readonly Dictionary<string, double> _phases = new();
    private readonly long _start;
    private readonly TimeSpan _cpuStart, _sysStart;
    private readonly long _faultsStart;
    private long _last;

    public PhaseClock(Action synchronize)
    {
        _synchronize = synchronize;
        using (Process self = Process.GetCurrentProcess()) (_cpuStart, _sysStart) = (self.TotalProcessorTime, self.PrivilegedProcessorTime);
        _faultsStart = MinorFaults();
        _start = _last = Stopwatch.GetTimestamp();
    }

    public void Mark(string phase)
    {
        _synchronize();
        long now = Stopwatch.GetTimestamp();
        _phases[phase] = Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds;
        _last = now;
    }

    /// <summary>Ends the iteration; the time since the last mark is the "release" phase (closing the scope).</summary>
    public Sample Finish()
    {
        long now = Stopwatch.GetTimestamp();
        TimeSpan cpu, sys;
        using (Process self = Process.GetCurrentProcess()) (cpu, sys) = (self.TotalProcessorTime - _cpuStart, self.PrivilegedProcessorTime - _sysStart);
        long faults = MinorFaults() - _faultsStart;
        _phases["release"] = Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds;
        return new Sample(Stopwatch.GetElapsedTime(_start, now).TotalMilliseconds, cpu.TotalMilliseconds, sys.TotalMilliseconds, faults, _phases);
    }

    /// <summary>Minor page faults of this process so far: field 10 of /proc/self/stat (0 where unreadable).</summary>
    private static long MinorFaults()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            // the command name (field 2) is parenthesised and may hold spaces: count fields after its ')'
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
