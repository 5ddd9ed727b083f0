using System.Runtime.InteropServices;

namespace PocketNet.Application.Latency;

/// <summary>The host a measurement was taken on, in the words a reader compares hosts by.</summary>
public static class HostDescription
{
    /// <summary>The CPU's model name (Linux' /proc/cpuinfo) and its logical cores; the architecture where that is unreadable.</summary>
    public static string CpuName()
    {
        string? name = null;
        try
        {
            name = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return $"{name ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical cores";
    }
}
