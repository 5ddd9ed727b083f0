using System.Globalization;
using PocketNet.Data.Registry;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The leaderboard's CSV: RFC 4180 quoting, units in the header, results as percent, culture-independent numbers.</summary>
public sealed class LeaderboardCsvTests
{
    private static readonly LeaderboardColumn Lfw = new("lfw", "LFW", BenchmarkProtocol.Pairs, "accuracy", false);
    private static readonly LeaderboardColumn Ijbc = new("ijbc", "IJB-C", BenchmarkProtocol.Ijb, "TAR at FAR 1e-4", false);
    private static readonly LeaderboardColumn MegaFace = new("megaface", "MegaFace", BenchmarkProtocol.MegaFace, "rank-1", false);

    private static LeaderboardRow Row(string displayName, double? megaFlops = 587.11, bool reference = false, params (string Benchmark, double Value)[] cells) =>
        new(1, "name", displayName, reference ? ModelOrigin.Published : ModelOrigin.Trained, reference ? "published" : "libtorch", "PocketNet", 925_632, megaFlops, "MultiStepDistillation",
            "MS1MV2", false, null, cells.ToDictionary(c => c.Benchmark, c => new LeaderboardCell(c.Value, null, "libtorch", DateTime.UtcNow)));

    private static List<string[]> Write(params LeaderboardRow[] rows) =>
        Csv.Parse(LeaderboardCsv.Write(new LeaderboardTable(LeaderboardScope.Real, [Lfw, Ijbc, MegaFace], rows)));

    [Fact]
    public void The_header_names_every_column_with_its_unit()
    {
        string[] header = Write()[0];
        Assert.Equal(["model", "name", "origin", "runtime", "architecture", "parameters", "mflops", "mmacs", "latency_ms", "latency_host", "training_mode", "training_data", "synthetic_training",
            "lfw accuracy (%)", "ijbc TAR@FAR=1e-4 (%)", "megaface rank-1 (%)", "other_metrics"], header);
    }

    [Fact]
    public void Results_are_written_in_percent_rounded_to_four_decimals()
    {
        string[] row = Write(Row("PocketNetS-128", cells: [("lfw", 0.995), ("ijbc", 0.123456789), ("megaface", 1.0)]))[1];
        Assert.Equal("99.5", row[13]);
        Assert.Equal("12.3457", row[14]);
        Assert.Equal("100", row[15]);
    }

    [Fact]
    public void A_published_value_by_another_metric_leaves_its_column_and_names_its_metric_in_the_last()
    {
        var cells = new Dictionary<string, LeaderboardCell>
        {
            ["lfw"] = new(0.9958, null, "published", DateTime.UtcNow, "accuracy, 10-fold verification"),
            ["megaface"] = new(0.9223, null, "published", DateTime.UtcNow, "TAR at FAR=1e-6, verification", OtherMetric: true),
        };
        var row = new LeaderboardRow(1, "paper", "paper", ModelOrigin.Published, "published", "PocketNet", 925_632, 587.11, null, null, false, "a paper", cells);
        string[] written = Write(row)[1];
        Assert.Equal("99.58", written[13]);
        Assert.Equal("", written[15]);
        Assert.Equal("megaface: 92.23 % (TAR at FAR=1e-6, verification)", written[16]);
    }

    [Fact]
    public void Missing_results_and_unknown_flops_are_empty_fields()
    {
        string[] row = Write(Row("no numbers", megaFlops: null))[1];
        Assert.Equal("", row[6]);
        Assert.Equal("", row[7]); // MACs unknown too
        Assert.Equal("", row[8]); // and no latency measured
        Assert.Equal(["", "", "", ""], row[13..]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a, b", "\"a, b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    public void Fields_with_commas_quotes_or_line_breaks_are_quoted(string displayName, string written)
    {
        string csv = LeaderboardCsv.Write(new LeaderboardTable(LeaderboardScope.Real, [Lfw], [Row(displayName)]));
        string body = csv[(csv.IndexOf('\n') + 1)..];
        Assert.StartsWith(written + ",", body);
        Assert.Equal(displayName, Csv.Parse(csv)[1][0]);
    }

    [Fact]
    public void Reference_rows_say_so_in_the_origin_column()
    {
        Assert.Equal("published (reference)", Write(Row("paper", reference: true))[1][2]);
        Assert.Equal("trained", Write(Row("ours"))[1][2]);
    }

    [Fact]
    public void The_runtime_column_names_what_computed_the_row()
    {
        Assert.Equal("runtime", Write()[0][3]);
        Assert.Equal("libtorch", Write(Row("ours"))[1][3]);
        Assert.Equal("published", Write(Row("paper", reference: true))[1][3]);
    }

    [Fact]
    public void Numbers_do_not_depend_on_the_servers_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            string[] row = Write(Row("PocketNetS-128", cells: [("lfw", 0.9548)]))[1];
            Assert.Equal("587.11", row[6]);
            Assert.Equal("95.48", row[13]);
            Assert.Equal("925632", row[5]);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void A_name_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text()
    {
        string[] row = Write(Row("=HYPERLINK(\"http://x\")"), Row("-2+3"), Row("plain"))[1..].Select(r => r[0]).ToArray();
        Assert.Equal(["'=HYPERLINK(\"http://x\")", "'-2+3", "plain"], row);
    }
}
