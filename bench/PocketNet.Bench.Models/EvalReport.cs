using System.Globalization;
using System.Text;

namespace PocketNet.Bench.Models;

/// <summary>Markdown tables of the eval benchmark (pasted as they are into bench/RESULTS.md).</summary>
public static class EvalReport
{
    /// <summary>
    /// One row per (model, case, path): images/s, and that over each PyTorch path's images/s (medians; for ONNX
    /// Runtime >= 2.00 is the goal).
    /// </summary>
    public static string Summary(IReadOnlyList<EvalResult> results, IReadOnlyList<string> baselines)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | case | path | images/s |" + string.Concat(baselines.Select(b => $" x {b} |")));
        text.AppendLine("|---|---|---|---|" + string.Concat(baselines.Select(_ => "---|")));
        foreach (EvalResult r in results)
            foreach (string path in r.Paths)
                text.AppendLine(Invariant($"| {r.Model} | {CaseLabel(r.Case)} | {path} | {r.SummaryOf(path).ImagesPerSecond:F1} |") +
                                string.Concat(baselines.Select(b => Invariant($" **{r.Ratio(path, b):F2}** |"))));
        return text.ToString();
    }

    /// <summary>
    /// One row per (model, case, path): the spread, CPU time, the ratio to <paramref name="baseline"/> three ways
    /// (medians, paired rounds, clean samples only) and the share of the CPUs other processes used meanwhile.
    /// </summary>
    public static string Detail(IReadOnlyList<EvalResult> results, string? baseline)
    {
        var text = new StringBuilder();
        string against = baseline ?? "-";
        text.AppendLine($"| model | case | path | ms/iter median (min .. max) | images/s | CPU ms (all threads) | minor faults | " +
                        $"ratio to {against} | paired | clean samples: ratio | other processes' CPU share |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (EvalResult r in results)
            foreach (string path in r.Paths)
            {
                Summary s = r.SummaryOf(path);
                string ratios = baseline is null
                    ? "- | - | -"
                    : Invariant($"{r.Ratio(path, baseline):F2} | {r.PairedRatio(path, baseline):F2} | ") +
                      Invariant($"{r.CleanSamples(path)}/{r.SamplesOf(path).Count}: {F2(r.CleanRatio(path, baseline))}");
                text.AppendLine(Invariant($"| {r.Model} | {CaseLabel(r.Case)} | {path} | {s.MedianMs:F0} ({s.MinMs:F0} .. {s.MaxMs:F0}) | ") +
                                Invariant($"{s.ImagesPerSecond:F1} | {s.MedianCpuMs:F0} | {s.MedianMinorFaults:F0} | {ratios} | {s.MedianOtherLoad:P0} |"));
            }
        return text.ToString();
    }

    private static string CaseLabel(string evalCase) => evalCase == "eval_flip" ? "eval + flip" : "eval";

    private static string F2(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
