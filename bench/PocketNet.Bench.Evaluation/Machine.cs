using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace PocketNet.Bench.Evaluation;

/// <summary>A one-line description of the machine a result was measured on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        string cpu = "unknown";
        double memoryGiB = 0;
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
            string? mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (mem is not null) memoryGiB = long.Parse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0 / 1024.0;
        }
        catch (IOException)
        {
        }
        string simd = $"Vector<float> {Vector<float>.Count} lanes, AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, AVX-512F {Avx512F.IsSupported}";
        return $"{Environment.ProcessorCount} logical CPUs ({cpu}), {memoryGiB:0.0} GiB, {RuntimeInformation.OSDescription}, " +
               $"{RuntimeInformation.FrameworkDescription}, {simd}";
    }

    /// <summary>The 1, 5 and 15-minute load averages (other work on the machine competes for the CPUs).</summary>
    public static string LoadAverage()
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
}
