using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using PocketNet.Torch;

namespace PocketNet.Bench;

/// <summary>What a result was measured on, recorded with every result file.</summary>
public sealed record MachineInfo(
    string DateUtc, string Host, int LogicalCpus, string CpuModel, [property: JsonPropertyName("memory_gib")] double MemoryGiB,
    string Os, [property: JsonPropertyName("dotnet")] string DotNet,
    string Libtorch, string LibtorchPath, bool Mkldnn, string LoadAverage)
{
    /// <summary>The 1-minute load average when the benchmark started (other work competes for the CPUs).</summary>
    [JsonIgnore]
    public double LoadAverage1 => double.TryParse(LoadAverage.Split(' ')[0], System.Globalization.NumberStyles.Float,
        System.Globalization.CultureInfo.InvariantCulture, out double load) ? load : 0;

    /// <summary>The 1, 5 and 15-minute load averages from /proc/loadavg.</summary>
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

    public static MachineInfo Collect() => new(
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        Environment.MachineName,
        Environment.ProcessorCount,
        ReadCpuModel(),
        ReadMemoryGiB(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Engine.Version,
        Engine.LibraryPath,
        Engine.HasMkldnn,
        ReadLoadAverage());

    private static string ReadCpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':') + 1)..].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double ReadMemoryGiB()
    {
        try
        {
            string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is null) return 0;
            long kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            return Math.Round(kib / 1024.0 / 1024.0, 1);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
