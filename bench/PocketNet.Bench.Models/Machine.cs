using System.Globalization;
using System.Runtime.InteropServices;
using PocketNet.Torch;

namespace PocketNet.Bench.Models;

/// <summary>What the numbers were measured on; stored in the result file and printed with the table.</summary>
public sealed record Machine(string DateUtc, int LogicalCpus, string CpuModel, double MemoryGib, string Os, string Dotnet,
    string Libtorch, string LibtorchPath, bool Mkldnn, string LoadAverage)
{
    public static Machine Collect() => new(
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        Environment.ProcessorCount,
        FirstValue("/proc/cpuinfo", "model name") ?? "unknown",
        Math.Round(double.Parse((FirstValue("/proc/meminfo", "MemTotal") ?? "0 kB").Split(' ')[0], CultureInfo.InvariantCulture) / (1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Engine.Version,
        Engine.LibraryPath,
        Engine.HasMkldnn,
        ReadLoadAverage());

    /// <summary>The 1, 5 and 15-minute load averages: other work on the machine competes for the cores.</summary>
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
}
