using System.Globalization;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Results;

/// <summary>How result pages write results and provenance (values arrive as fractions; pages show percent).</summary>
public static class ResultFormat
{
    /// <summary>"99.50 ± 0.37 %", or "96.10 %" without a spread.</summary>
    public static string Value(double fraction, double? std) =>
        std is double s
            ? $"{Number(fraction * 100)} ± {Number(s * 100)} %"
            : $"{Number(fraction * 100)} %";

    /// <summary>The training mode as the paper names it.</summary>
    public static string Mode(string? mode) => mode switch
    {
        null or "" => "–",
        "ArcFace" => "ArcFace",
        "CosFace" => "CosFace",
        "Distillation" => "KD",
        "MultiStepDistillation" => "multi-step KD",
        _ => mode,
    };

    /// <summary>Where a model comes from, in words.</summary>
    public static string Origin(ModelOrigin origin) => origin switch
    {
        ModelOrigin.Trained => "trained here",
        ModelOrigin.External => "external (ONNX)",
        ModelOrigin.Imported => "imported",
        ModelOrigin.Published => "published (paper reference)",
        ModelOrigin.Baseline => "random weights (floor)",
        ModelOrigin.Quantized => "int8 (quantised here)",
        _ => origin.ToString(),
    };

    /// <summary>A result's runtime as pages name it ("libtorch", "ONNX Runtime"; "published" for a paper's number); runtimes joined by "+" each named.</summary>
    public static string Runtime(string runtime) =>
        string.Join(" + ", runtime.Split('+').Select(r => r switch
        {
            ResultRuntimes.Onnx => "ONNX Runtime",
            _ => r,
        }));

    /// <summary>A change of a fraction in percentage points, signed: "+0.17", "−1.33", "±0.00".</summary>
    public static string Change(double change) => (change * 100).ToString("+0.00;−0.00;±0.00", CultureInfo.InvariantCulture);

    /// <summary>A latency ratio: "1.84× faster", or "0.80× (slower)".</summary>
    public static string SpeedUp(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + (ratio >= 1 ? "× faster" : "× (slower)");

    /// <summary>UTC time to the minute.</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Number(double value, int decimals = 2) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
