using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PocketNet.Bench.Models;

/// <summary>Markdown tables of the results (pasted as they are into bench/RESULTS.md) and the JSON settings.</summary>
public static class Report
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Table(IReadOnlyList<CaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | case | ours ms/iter median (min) | ours images/s | PyTorch ms/iter median (min) | PyTorch images/s | " +
                        "ratio ours/PyTorch | of mins | clean samples: ratio | paired | other processes' CPU share, ours / PyTorch |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (CaseResult r in results)
        {
            Summary ours = r.OursSummary;
            Summary? py = r.PyTorchSummary;
            text.AppendLine(Invariant($"| {r.Model} | {r.Case} | {ours.MedianMs:F0} ({ours.MinMs:F0}) | {ours.ImagesPerSecond:F2} | ") +
                            (py is null ? Invariant($"- | - | - | - | - | - | {ours.MedianOtherLoad:P0} |") :
                                Invariant($"{py.MedianMs:F0} ({py.MinMs:F0}) | {py.ImagesPerSecond:F2} | **{r.Ratio:F2}** | {r.MinRatio:F2} | ") +
                                Invariant($"{r.CleanSamples}/{r.Ours.Count + r.PyTorch.Count}: {F2(r.CleanRatio)} | {F2(r.PairedRatio)} | ") +
                                Invariant($"{ours.MedianOtherLoad:P0} / {py.MedianOtherLoad:P0} |")));
        }
        return text.ToString();
    }

    /// <summary>Median wall time of each phase, both sides, for every (model, case).</summary>
    public static string Phases(IReadOnlyList<CaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | case | phase | ours ms (median) | PyTorch ms (median) | ours - PyTorch ms |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (CaseResult r in results)
        {
            Summary ours = r.OursSummary;
            Summary? py = r.PyTorchSummary;
            foreach (var (phase, ms) in ours.PhaseMedianMs)
            {
                string theirs = py?.PhaseMedianMs.TryGetValue(phase, out double p) == true
                    ? Invariant($"{p:F1} | {ms - p:+0.0;-0.0;0.0} |")
                    : "- | - |";
                text.AppendLine(Invariant($"| {r.Model} | {r.Case} | {phase} | {ms:F1} | ") + theirs);
            }
            text.AppendLine(Invariant($"| {r.Model} | {r.Case} | CPU time (all threads) | {ours.MedianCpuMs:F0} | ") +
                            (py is null ? "- | - |" : Invariant($"{py.MedianCpuMs:F0} | {ours.MedianCpuMs - py.MedianCpuMs:+0;-0;0} |")));
            text.AppendLine(Invariant($"| {r.Model} | {r.Case} | of which kernel (sys) | {ours.MedianSysMs:F0} | ") +
                            (py is null ? "- | - |" : Invariant($"{py.MedianSysMs:F0} | {ours.MedianSysMs - py.MedianSysMs:+0;-0;0} |")));
            text.AppendLine(Invariant($"| {r.Model} | {r.Case} | minor page faults (count) | {ours.MedianMinorFaults:F0} | ") +
                            (py is null ? "- | - |" : Invariant($"{py.MedianMinorFaults:F0} | {ours.MedianMinorFaults - py.MedianMinorFaults:+0;-0;0} |")));
        }
        return text.ToString();
    }

    private static string F2(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
