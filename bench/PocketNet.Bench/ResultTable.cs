using System.Globalization;
using System.Text;

namespace PocketNet.Bench;

/// <summary>Samples of one side of a comparison, in the row's unit.</summary>
public sealed record Side(Stats Stats, double[] Samples)
{
    public static Side Of(double[] samples) => new(Stats.Of(samples), samples);
}

/// <summary>
/// One measured case. <see cref="Reference"/> is PyTorch's time for the same work (null when python
/// was skipped, and for a <see cref="Diagnostic"/> row, which only we run to explain another row).
/// Ratio = reference median / our median: >= 1 means we are as fast or faster.
/// </summary>
public sealed record ResultRow(string Case, string Label, string Unit, Side Ours, Side? Reference, string? Note = null,
    bool Diagnostic = false)
{
    public double? Ratio => Reference is null ? null : Reference.Stats.Median / Ours.Stats.Median;

    /// <summary>
    /// Median over rounds of PyTorch's time / ours in the same round. Rounds alternate between the
    /// sides, so this pairs measurements taken seconds apart: steadier than <see cref="Ratio"/> when
    /// the machine's load drifts.
    /// </summary>
    public double? PairedRatio => Reference is null || Reference.Samples.Length != Ours.Samples.Length
        ? null
        : Stats.Of(Reference.Samples.Zip(Ours.Samples, (theirs, ours) => theirs / ours).ToArray()).Median;
}

/// <summary>Markdown-style tables of result rows, for the console and RESULTS.md.</summary>
public static class ResultTable
{
    public const string RatioLegend = "ratio = PyTorch median / our median: >= 1.00 means we are as fast as PyTorch or faster. " +
                                      "paired = median over rounds of PyTorch / ours in adjacent rounds.";

    public static string Render(IReadOnlyList<ResultRow> rows)
    {
        var main = rows.Where(r => !r.Diagnostic).ToList();
        var diagnostics = rows.Where(r => r.Diagnostic).ToList();
        var text = new StringBuilder();
        if (main.Count > 0)
        {
            string[] header = ["case", "ours (median)", "PyTorch (median)", "ratio", "paired", "verdict", "ours min .. max", "PyTorch min .. max"];
            Append(text, header, main.Select(r => new[]
            {
                r.Label, Format(r.Ours.Stats.Median, r.Unit),
                r.Reference is null ? "-" : Format(r.Reference.Stats.Median, r.Unit),
                r.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "-",
                r.PairedRatio is { } paired ? paired.ToString("0.00", CultureInfo.InvariantCulture) : "-",
                Verdict(r.Ratio, r.Unit),
                Range(r.Ours.Stats, r.Unit),
                r.Reference is null ? "-" : Range(r.Reference.Stats, r.Unit),
            }).ToList());
            text.AppendLine();
            text.AppendLine(RatioLegend);
        }
        if (diagnostics.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("diagnostics (ours only):");
            text.AppendLine();
            string[] header = ["case", "ours (median)", "ours min .. max", "note"];
            Append(text, header, diagnostics.Select(r => new[]
            {
                r.Label, Format(r.Ours.Stats.Median, r.Unit), Range(r.Ours.Stats, r.Unit), r.Note ?? "",
            }).ToList());
        }
        return text.ToString();
    }

    /// <summary>How many times faster or slower (or, for counts, fewer or more) we are, read off the ratio.</summary>
    public static string Verdict(double? ratio, string unit)
    {
        if (ratio is not { } r || double.IsNaN(r)) return "-";
        bool count = unit == "faults";
        if (r == 0 || double.IsInfinity(r)) return r == 0 ? (count ? "ours more (PyTorch: 0)" : "-") : (count ? "ours fewer (ours: 0)" : "-");
        return r >= 1
            ? $"ours {r.ToString("0.00", CultureInfo.InvariantCulture)}x {(count ? "fewer" : "as fast")}"
            : $"ours {(1 / r).ToString("0.00", CultureInfo.InvariantCulture)}x {(count ? "more" : "slower")}";
    }

    public static string Format(double value, string unit) => unit switch
    {
        "us" => value.ToString(value < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture) + " µs",
        "faults" => value.ToString("#,0", CultureInfo.InvariantCulture),
        _ => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " " + unit,
    };

    private static string Range(Stats s, string unit) => Format(s.Min, unit) + " .. " + Format(s.Max, unit);

    private static void Append(StringBuilder text, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        text.AppendLine(Line(header));
        text.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows) text.AppendLine(Line(row));
    }
}
