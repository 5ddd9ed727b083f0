using System.Globalization;
using System.Text;

namespace PocketNet.Portal.Leaderboard;

/// <summary>
/// The leaderboard as CSV (RFC 4180 quoting). Units are in the headers: results in percent, parameters as a
/// count, FLOPs in MFLOPs of one 112x112 image. Reference rows say so in the origin column; the runtime column names
/// what computed a row's results (libtorch, onnx or published), a model evaluated by both runtimes having a row for each. A published value measured
/// by another metric than its column's stays out of that column (a number under "rank-1" must be a rank-1): the last
/// column lists such values with the metric their source names.
/// </summary>
public static class LeaderboardCsv
{
    public static string Write(LeaderboardTable table)
    {
        var text = new StringBuilder();
        var header = new List<string> { "model", "name", "origin", "runtime", "architecture", "parameters", "mflops", "mmacs", "latency_ms", "latency_host", "training_mode", "training_data", "synthetic_training" };
        foreach (LeaderboardColumn column in table.Columns)
            header.Add($"{column.Benchmark} {Application.Evaluation.HeadlineMetrics.Short(column.Protocol)} (%)");
        header.Add("other_metrics");
        text.AppendLine(string.Join(',', header.Select(Quote)));
        foreach (LeaderboardRow row in table.Rows)
        {
            var cells = new List<string>
            {
                Text(row.DisplayName), Text(row.Name), row.IsReference ? "published (reference)" : row.Origin.ToString().ToLowerInvariant(), row.Runtime, Text(row.Architecture),
                row.Parameters.ToString(CultureInfo.InvariantCulture), Number(row.MegaFlops), Number(row.MegaMacs), Number(row.LatencyMilliseconds), Text(row.LatencyHost ?? ""), Text(row.TrainingMode ?? ""), Text(row.TrainingData ?? ""),
                row.SyntheticTraining ? "yes" : "no",
            };
            var others = new List<string>();
            foreach (LeaderboardColumn column in table.Columns)
            {
                LeaderboardCell? cell = row.Cells.GetValueOrDefault(column.Benchmark);
                cells.Add(cell is { OtherMetric: false } ? Number(cell.Value * 100) : "");
                if (cell is { OtherMetric: true }) others.Add($"{column.Benchmark}: {Number(cell.Value * 100)} % ({cell.Metric})");
            }
            cells.Add(Text(string.Join("; ", others)));
            text.AppendLine(string.Join(',', cells.Select(Quote)));
        }
        return text.ToString();
    }

    private static string Number(double? value) => value is double v ? Math.Round(v, 4).ToString(CultureInfo.InvariantCulture) : "";

    // A name is typed by whoever uploads a model; one starting with = + - or @ would run as a formula when the
    // export is opened in a spreadsheet, so such text is prefixed with an apostrophe.
    private static string Text(string value) => value.Length > 0 && "=+-@\t\r".Contains(value[0]) ? "'" + value : value;

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
}
