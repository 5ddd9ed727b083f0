using System.Globalization;
using System.Text;

namespace PocketNet.Bench.Portal;

/// <summary>Requests per second, median and 99th-percentile latency and errors, per path and in all; the live connections' messages.</summary>
public sealed record LoadReport(
    IReadOnlyList<PathStats> Paths, PathStats All, int Errors, int LiveConnections, int LiveConnectionsOpenAtEnd, long LiveMessages,
    string Job)
{
    public static LoadReport Of(LoadResult result)
    {
        var paths = result.Requests.GroupBy(r => r.Path).OrderBy(g => Array.IndexOf(LoadRun.Paths, g.Key))
            .Select(g => PathStats.Of(g.Key, g.ToList(), result.Seconds)).ToList();
        string job = string.Create(CultureInfo.InvariantCulture,
            $"{result.JobStateBefore} at {result.JobProgressBefore:P1} -> {result.JobStateAfter} at {result.JobProgressAfter:P1}");
        return new LoadReport(paths, PathStats.Of("all", result.Requests, result.Seconds), result.Requests.Count(r => !r.Ok),
            result.LiveConnections, result.LiveConnectionsOpenAtEnd, result.LiveMessages, job);
    }

    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("| path | requests | requests/s | p50 ms | p99 ms | errors |").AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (PathStats p in Paths.Append(All)) text.AppendLine(p.Row());
        text.AppendLine(CultureInfo.InvariantCulture,
            $"live connections: {LiveConnections} opened, {LiveConnectionsOpenAtEnd} still open at the end, {LiveMessages} job messages received");
        text.Append("training job during the measurement: ").Append(Job);
        return text.ToString();
    }
}

public sealed record PathStats(string Path, int Requests, double RequestsPerSecond, double P50Ms, double P99Ms, int Errors)
{
    public static PathStats Of(string path, IReadOnlyList<RequestSample> samples, double seconds)
    {
        double[] sorted = samples.Select(s => s.Milliseconds).Order().ToArray();
        return new PathStats(path, samples.Count, samples.Count / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99), samples.Count(s => !s.Ok));
    }

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| `{Path}` | {Requests:N0} | {RequestsPerSecond:F1} | {P50Ms:F1} | {P99Ms:F1} | {Errors} |");

    // Nearest rank.
    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
