namespace PocketNet.Portal.Tests;

/// <summary>The datasets page: the benchmark registry with each entry's state, and the training sets.</summary>
public sealed class PagesDatasetsTests
{
    private static readonly string[] SyntheticBenchmarks = ["synth_lfw", "synth_cfp_fp", "synth_agedb_30", "synth_ijb", "synth_megaface"];

    [Fact]
    public async Task The_synthetic_benchmarks_are_ready_labelled_and_counted_when_opened()
    {
        using var portal = new PortalFactory();
        HttpClient visitor = PageForms.Browser(portal);

        string presence = await PageForms.GetPageAsync(visitor, "/datasets");
        foreach (string name in SyntheticBenchmarks)
            Assert.Contains($"<tr data-benchmark=\"{name}\" data-state=\"Ready\"", presence);
        Assert.Contains("<tr data-benchmark=\"lfw\"", presence);
        Assert.Contains("stands in for LFW", presence);
        Assert.DoesNotContain(portal.SynthRoot, presence); // the server's folders are for the admin (ServerPathTests)
        Assert.Contains("<tr data-training-set=\"SynthFaces\" data-present=\"true\"", presence);
        Assert.Contains("href=\"datasets?open=true\"", presence);

        // The tiny data has 40 pairs per pair set (TinySynthData): opening the data counts them.
        string opened = await PageForms.GetPageAsync(visitor, "/datasets?open=true");
        string row = Row(opened, "synth_lfw");
        Assert.Contains("data-state=\"Ready\"", row);
        Assert.Contains("40 pairs", row);
        Assert.Contains("synthetic-badge", row);
    }

    private static string Row(string html, string benchmark)
    {
        int start = html.IndexOf($"<tr data-benchmark=\"{benchmark}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {benchmark}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
