using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PocketNet.Data.Registry;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// The repository's published rows are complete and say what they are: every PocketNet variant on every benchmark the
/// paper reports, values as the paper prints them (copied here by hand from the paper's comparison, IEEE Access 10,
/// 2022, and the MixFaceNets/EdgeFace READMEs), each with its metric; a malformed file is refused naming the file and
/// the problem; a value by another metric than its column's is shown but never ranked.
/// </summary>
public sealed class PublishedReferenceRowsTests : IDisposable
{
    private static readonly string RepositoryFile = Path.Combine(BenchmarkRoots.FindRepositoryDataFolder()!, PublishedResults.FileName);
    private static readonly string[] PaperBenchmarks = ["lfw", "cfp_fp", "agedb_30", "calfw", "cplfw", "ijbb", "ijbc", "megaface"];

    private readonly TestStore _store = new();
    private readonly PublishedResults _published;

    public PublishedReferenceRowsTests() => _published = new PublishedResults(_store, TestStore.Registry, NullLogger<PublishedResults>.Instance);

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData("paper-pocketnet-s-128")]
    [InlineData("paper-pocketnet-s-256")]
    [InlineData("paper-pocketnet-m-128")]
    [InlineData("paper-pocketnet-m-256")]
    public void Every_pocketnet_variant_has_all_nine_of_the_papers_benchmarks(string name)
    {
        _published.Load(RepositoryFile);
        ModelRecord row = Row(name);
        Assert.Equal(PaperBenchmarks.Order(), row.Results.Select(r => r.Benchmark).Order());
        // The ninth: MegaFace on the original lists, which the registry has no column for.
        Assert.Contains("MegaFace challenge 1, original (unrefined) lists", row.Note);
        Assert.Equal("MultiStepDistillation", row.TrainingMode);
        Assert.Equal("MS1MV2", row.TrainingData);
        Assert.All(row.Results, r => Assert.False(string.IsNullOrWhiteSpace(r.Metric)));
    }

    [Theory]
    // PocketNet paper, comparison table (percent).
    [InlineData("paper-pocketnet-s-128", "lfw", 99.58)]
    [InlineData("paper-pocketnet-s-128", "cfp_fp", 94.21)]
    [InlineData("paper-pocketnet-s-128", "calfw", 95.48)]
    [InlineData("paper-pocketnet-s-128", "cplfw", 89.63)]
    [InlineData("paper-pocketnet-s-128", "ijbc", 91.62)]
    [InlineData("paper-pocketnet-s-256", "lfw", 99.66)]
    [InlineData("paper-pocketnet-m-128", "calfw", 95.67)]
    [InlineData("paper-pocketnet-m-256", "agedb_30", 97.17)]
    [InlineData("paper-pocketnet-m-256", "cplfw", 90.03)]
    [InlineData("paper-pocketnet-m-256", "ijbb", 90.74)]
    [InlineData("paper-pocketnet-m-256", "megaface", 94.40)]
    // MixFaceNets README; EdgeFace README.
    [InlineData("paper-mixfacenet-xs", "agedb_30", 95.85)]
    [InlineData("paper-shufflemixfacenet-m", "ijbc", 93.50)]
    [InlineData("paper-edgeface-xs", "cplfw", 91.58)]
    // ArcFace paper, R100 on MS1MV2 (refined MegaFace, rank-1); arcface_torch README (August 2021), r18 on MS1MV3.
    [InlineData("paper-arcface-iresnet100", "megaface", 98.35)]
    [InlineData("paper-arcface-torch-iresnet18-ms1mv3", "ijbc", 94.66)]
    public void Values_are_the_published_ones(string name, string benchmark, double percent)
    {
        _published.Load(RepositoryFile);
        Assert.Equal(percent / 100, Row(name).Results.Single(r => r.Benchmark == benchmark).Value, 12);
    }

    [Theory]
    // Each architecture of the registry against a row from its own paper or official README.
    [InlineData("mobilefacenet", "paper-mobilefacenets", "MobileFaceNet")]
    [InlineData("iresnet18", "paper-arcface-torch-iresnet18-ms1mv3", "IResNet")]
    [InlineData("iresnet34", "paper-arcface-torch-iresnet34-ms1mv3", "IResNet")]
    [InlineData("iresnet50", "paper-arcface-torch-iresnet50", "IResNet")]
    [InlineData("iresnet100", "paper-arcface-iresnet100", "IResNet")]
    [InlineData("edgeface-xxs", "paper-edgeface-xxs", "EdgeFace")]
    [InlineData("edgeface-xs", "paper-edgeface-xs", "EdgeFace")]
    [InlineData("edgeface-s", "paper-edgeface-s", "EdgeFace")]
    [InlineData("mixfacenet-xs", "paper-mixfacenet-xs", "MixFaceNet")]
    [InlineData("mixfacenet-s", "paper-mixfacenet-s", "MixFaceNet")]
    [InlineData("mixfacenet-m", "paper-mixfacenet-m", "MixFaceNet")]
    [InlineData("shufflemixfacenet-xs", "paper-shufflemixfacenet-xs", "ShuffleMixFaceNet")]
    [InlineData("shufflemixfacenet-s", "paper-shufflemixfacenet-s", "ShuffleMixFaceNet")]
    [InlineData("shufflemixfacenet-m", "paper-shufflemixfacenet-m", "ShuffleMixFaceNet")]
    public void Every_registry_baseline_has_a_row_from_its_own_source(string registryName, string row, string architecture)
    {
        Assert.Contains(PocketNet.Models.Registry.ModelRegistry.Entries, e => e.Name == registryName);
        _published.Load(RepositoryFile);
        ModelRecord published = Row(row);
        Assert.Equal(architecture, published.Architecture);
        Assert.Contains($"'{registryName}'", published.Note);
        Assert.NotEmpty(published.Results);
    }

    [Fact]
    public void Sizes_are_as_published_in_millions_of_parameters_and_mflops()
    {
        _published.Load(RepositoryFile);
        Assert.Equal((1_752_448, 1099.16), Size("paper-pocketnet-m-256"));
        Assert.Equal((1_040_354, 161.9), Size("paper-mixfacenet-xs"));     // exact, as the official code counts it (the README: 1.04 M)
        Assert.Equal((1_770_000, 154.0), Size("paper-edgeface-xs"));
        Assert.Equal((990_000, 439.8), Size("paper-mobilefacenets"));
    }

    [Fact]
    public void Macs_stand_beside_flops_in_the_unit_their_source_states()
    {
        _published.Load(RepositoryFile);
        Assert.Equal(221.0, Row("paper-mobilefacenets").MegaMacs);          // Chen et al.: 221 M MAdds (439.8 MFLOPs elsewhere)
        Assert.Equal(6300.0, Row("paper-arcface-torch-iresnet50").MegaMacs); // arcface_torch: 6.3 G, labelled "FLOPs" there
        Assert.Equal(283.54, Row("paper-pocketnet-s-128").MegaMacs);        // the portal's count; the paper states FLOPs only
        Assert.Equal(76.56, Row("paper-mixfacenet-xs").MegaMacs);          // the portal's count of the official wiring; the README states FLOPs only
        Assert.Null(Row("paper-vargfacenet").MegaMacs);                    // no source states them, and the portal has no VarGFaceNet
    }

    [Fact]
    public void GhostFaceNet_rows_show_the_portals_count_and_keep_the_papers_figure_under_its_own_label()
    {
        _published.Load(RepositoryFile);
        ModelRecord row = Row("paper-ghostfacenet-v1-1.3-2-ms1mv3");
        Assert.Equal((59.32, 121.76), (row.MegaMacs, row.MegaFlops));
        Assert.Contains("60.29 MFLOPs", row.Note);
        Assert.Equal(0.9345, row.Results.Single(r => r.Benchmark == "ijbc").Value, 12);
        Assert.Equal("ghostfacenet-v1-1.3-2", Models.Registry.ModelRegistry.Entries.Single(e => e.Config.Width == 1.3 && e.Config.StemStride == 2).Name);
    }

    [Fact]
    public void Every_row_names_its_source_link_and_every_disagreement_says_which_value_it_shows()
    {
        _published.Load(RepositoryFile);
        using PortalDbContext db = _store.CreateDbContext();
        var rows = db.Models.AsNoTracking().Include(m => m.Results).Where(m => m.Origin == ModelOrigin.Published).ToList();
        Assert.True(rows.Count >= 20, $"{rows.Count} published rows");
        Assert.All(rows, r => Assert.StartsWith("http", r.SourceUrl));
        Assert.All(rows.SelectMany(r => r.Results), r => Assert.False(string.IsNullOrWhiteSpace(r.Metric)));
        string ijbc = Row("paper-shufflemixfacenet-m").Results.Single(r => r.Benchmark == "ijbc").Note!;
        Assert.Contains("91.47", ijbc);
        Assert.Contains("Shown: 93.5", ijbc);
    }

    [Fact]
    public async Task A_megaface_tar_sits_in_the_rank_1_column_marked_as_another_metric_and_is_never_the_best()
    {
        _published.Load(RepositoryFile);
        var service = new LeaderboardService(_store, TestStore.Registry);
        LeaderboardTable table = await service.BuildAsync(new LeaderboardQuery(LeaderboardScope.Real, "megaface", true));
        LeaderboardCell pocket = table.Rows.Single(r => r.Name == "paper-pocketnet-s-128").Cells["megaface"];
        Assert.True(pocket.OtherMetric);
        Assert.Contains("TAR at FAR=1e-6", pocket.Metric);
        LeaderboardCell arcface = table.Rows.Single(r => r.Name == "paper-arcface-iresnet100").Cells["megaface"];
        Assert.False(arcface.OtherMetric);
        Assert.False(table.Rows.Single(r => r.Name == "paper-pocketnet-s-128").Cells["lfw"].OtherMetric);
        Assert.False(table.Rows.Single(r => r.Name == "paper-pocketnet-s-128").Cells["ijbc"].OtherMetric);
    }

    [Theory]
    [InlineData("IJB-C(1E-4)", BenchmarkProtocol.Ijb, false)]
    [InlineData("TAR@FAR=1e-4", BenchmarkProtocol.Ijb, true)]
    [InlineData("TAR at FAR 1e-4", BenchmarkProtocol.Ijb, true)]
    [InlineData("TAR at FAR=1e-6, verification", BenchmarkProtocol.MegaFace, false)]
    [InlineData("rank-1 identification", BenchmarkProtocol.MegaFace, true)]
    [InlineData("accuracy (10-fold)", BenchmarkProtocol.Pairs, true)]
    public void A_metric_label_counts_as_the_columns_by_its_substance(string label, BenchmarkProtocol protocol, bool headline) =>
        Assert.Equal(headline, PublishedMetric.IsHeadline(protocol, label));

    [Theory]
    [InlineData("\"version\": 2", "\"version\": 3", "version 3")]
    [InlineData("\"metric\": \"accuracy\"", "\"note\": \"x\"", "\"metric\" is missing")]
    [InlineData("\"value\": 99.5", "\"value\": 995", "percentage")]
    [InlineData("\"source_url\": \"https://example.org/paper\",", "", "\"source_url\" is missing")]
    [InlineData("\"source_url\": \"https://example.org/paper\"", "\"source_url\": \"file:///etc/passwd\"", "not an http(s) link")]
    [InlineData("\"parameters\": 1000", "\"parameters\": 0", "\"parameters\"")]
    [InlineData("\"accuracy\"", "\"accuracy, ten-fold verification on the six thousand pairs of the LFW view 2 protocol\"", "longer than 64")]
    [InlineData("\"lfw\":", "\"synth_lfw\":", "unknown benchmark 'synth_lfw'")]
    public void A_malformed_version_2_file_is_refused_naming_the_file_the_row_and_the_problem(string find, string replace, string problem)
    {
        string file = Path.Combine(_store.Folder, "published.json");
        string good = Version2("paper-a");
        Assert.Contains(find, good);
        File.WriteAllText(file, good.Replace(find, replace));
        var error = Assert.Throws<InvalidDataException>(() => _published.Load(file));
        Assert.Contains(file, error.Message);
        Assert.Contains(problem, error.Message);
        if (!problem.StartsWith("version", StringComparison.Ordinal)) Assert.Contains("paper-a", error.Message);
    }

    [Fact]
    public void Two_rows_of_one_name_are_refused()
    {
        string file = Path.Combine(_store.Folder, "published.json");
        string row = Version2("paper-a");
        string model = row[(row.IndexOf('[') + 1)..row.LastIndexOf(']')];
        File.WriteAllText(file, row.Replace(model, model + "," + model));
        var error = Assert.Throws<InvalidDataException>(() => _published.Load(file));
        Assert.Contains("two rows are named 'paper-a'", error.Message);
    }

    [Fact]
    public void A_well_formed_version_2_file_loads_its_notes()
    {
        string file = Path.Combine(_store.Folder, "published.json");
        File.WriteAllText(file, Version2("paper-a"));
        _published.Load(file);
        ModelRecord row = Row("paper-a");
        Assert.Equal("https://example.org/paper", row.SourceUrl);
        Assert.Equal("row note. Also published, without a column here: MegaFace, original lists, TAR at FAR=1e-6: 90.5 %.", row.Note);
        ResultRecord lfw = row.Results.Single();
        Assert.Equal(("accuracy", "value note"), (lfw.Metric, lfw.Note));
        Assert.Equal(0.995, lfw.Value, 12);
    }

    private (long, double?) Size(string name)
    {
        ModelRecord row = Row(name);
        return (row.Parameters, row.MegaFlops);
    }

    private ModelRecord Row(string name)
    {
        using PortalDbContext db = _store.CreateDbContext();
        return db.Models.AsNoTracking().Include(m => m.Results).Single(m => m.Name == name);
    }

    private static string Version2(string name) =>
        $$"""
        { "version": 2, "models": [
            { "name": "{{name}}", "display_name": "A", "architecture": "PocketNet", "embedding_size": 128, "parameters": 1000,
              "mega_flops": 1.5, "training_mode": "ArcFace", "training_data": "MS1MV2", "source": "a paper",
              "source_url": "https://example.org/paper", "note": "row note.",
              "results": { "lfw": { "value": 99.5, "metric": "accuracy", "note": "value note" } },
              "other_results": [ { "benchmark": "MegaFace, original lists", "metric": "TAR at FAR=1e-6", "value": 90.5 } ] }
        ] }
        """;
}
