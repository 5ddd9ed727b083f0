using System.Globalization;

namespace PocketNet.Portal.Components.Shared;

/// <summary>Numbers as pages show them, always with their unit.</summary>
public static class Format
{
    /// <summary>"1 h 05 min", "3 min 20 s", "12 s", or "–" when unknown.</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not double s || double.IsNaN(s) || s < 0) return "–";
        var t = TimeSpan.FromSeconds(s);
        if (t.TotalHours >= 1) return $"{(int)t.TotalHours} h {t.Minutes:D2} min";
        if (t.TotalMinutes >= 1) return $"{t.Minutes} min {t.Seconds:D2} s";
        return $"{t.Seconds} s";
    }

    /// <summary>A fraction as a percentage with two decimals: "99.50 %".</summary>
    public static string Percent(double? fraction) =>
        fraction is double f ? (f * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "–";

    /// <summary>Parameters in millions: "0.93 M".</summary>
    public static string Parameters(long parameters) => (parameters / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M";

    /// <summary>MFLOPs: "587.11 MFLOPs".</summary>
    public static string MegaFlops(double? megaFlops) =>
        megaFlops is double m ? m.ToString("F2", CultureInfo.InvariantCulture) + " MFLOPs" : "–";

    /// <summary>Milliseconds per image: "11.35 ms".</summary>
    public static string Milliseconds(double? milliseconds) =>
        milliseconds is double m ? m.ToString("F2", CultureInfo.InvariantCulture) + " ms" : "–";

    /// <summary>Millions of multiply-accumulates: "283.54 MMACs".</summary>
    public static string MegaMacs(double? megaMacs) =>
        megaMacs is double m ? m.ToString("F2", CultureInfo.InvariantCulture) + " MMACs" : "–";
}
