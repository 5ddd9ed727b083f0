namespace PocketNet.Bench.Evaluation;

/// <summary>Peak resident memory of this process (Linux /proc; elsewhere Process.PeakWorkingSet64).</summary>
internal static class Memory
{
    /// <summary>Peak resident set size in MiB: VmHWM from /proc/self/status.</summary>
    public static double PeakMiB()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null)
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException)
        {
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>Current resident set size in MiB (VmRSS).</summary>
    public static double CurrentMiB()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null)
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException)
        {
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>
    /// Resets the peak to the current size (writing 5 to /proc/self/clear_refs), so a phase's peak can be
    /// measured on its own; returns false where the kernel does not allow it.
    /// </summary>
    public static bool ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
