using System.Runtime.InteropServices;

namespace PocketNet.Bench;

/// <summary>
/// Process-wide counters read the way python's reference reads them, so both sides are measured alike:
/// CPU time of all threads (clock_gettime(CLOCK_PROCESS_CPUTIME_ID), python's time.process_time()),
/// which barely moves when other processes compete for the CPUs, and minor page faults
/// (getrusage(RUSAGE_SELF).ru_minflt, python's resource.getrusage), which count the fresh pages the
/// kernel had to hand the process.
/// </summary>
internal static unsafe partial class CpuClock
{
    private const int ClockProcessCpuTimeId = 2;
    private const int RusageSelf = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // struct rusage on 64-bit Linux: two timevals, then fourteen longs (ru_maxrss, ru_ixrss, ...).
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NvCsw, NivCsw;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, RUsage* usage);

    /// <summary>Process CPU time in milliseconds.</summary>
    public static double Milliseconds()
    {
        TimeSpec t;
        if (ClockGetTime(ClockProcessCpuTimeId, &t) != 0) return double.NaN;
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    /// <summary>Minor page faults of the process so far.</summary>
    public static long MinorFaults()
    {
        RUsage u;
        return GetRUsage(RusageSelf, &u) == 0 ? u.MinFlt : -1;
    }
}
