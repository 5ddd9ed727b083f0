using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Json.Serialization;

namespace PocketNet.Bench.Support;

/// <summary>What a result was measured on; printed with it and stored in its result file.</summary>
public sealed record MachineInfo(string DateUtc, string Host, int LogicalCpus, string CpuModel, double MemoryGib, string Os, string Dotnet,
    string Simd, string LoadAverage)
{
    public static MachineInfo Collect() => new(
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        Environment.MachineName,
        Environment.ProcessorCount,
        FirstValue("/proc/cpuinfo", "model name") ?? "unknown",
        Math.Round(ParseLeadingNumber(FirstValue("/proc/meminfo", "MemTotal")) / (1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        $"Vector<float> {Vector<float>.Count} lanes, AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, AVX-512F {Avx512F.IsSupported}",
        ReadLoadAverage());

    /// <summary>The 1-minute load average when the benchmark started (0 where unknown).</summary>
    [JsonIgnore]
    public double LoadAverage1 => ParseLeadingNumber(LoadAverage);

    /// <summary>
    /// A warning when other work keeps more than half of the CPUs busy (with OpenMP one busy core slows every
    /// thread of a parallel region), else null.
    /// </summary>
    [JsonIgnore]
    public string? BusyWarning => LoadAverage1 > LogicalCpus / 2.0
        ? $"warning: load average {LoadAverage1.ToString("0.00", CultureInfo.InvariantCulture)} on {LogicalCpus} CPUs: " +
          "other processes compete for the cores, times are upper bounds"
        : null;

    /// <summary>One line for a console header.</summary>
    public string Describe() =>
        $"{LogicalCpus} logical CPUs ({CpuModel}), {MemoryGib.ToString("0.0", CultureInfo.InvariantCulture)} GiB, {Os}, {Dotnet}, {Simd}";

    /// <summary>The 1, 5 and 15-minute load averages from /proc/loadavg (other work competes for the CPUs).</summary>
    public static string ReadLoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? FirstValue(string file, string key)
    {
        try
        {
            string? line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line?[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    // "24601234 kB" -> 24601234, "0.52 0.60 0.61" -> 0.52; 0 where absent or unreadable.
    private static double ParseLeadingNumber(string? text) =>
        double.TryParse(text?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value : 0;
}
