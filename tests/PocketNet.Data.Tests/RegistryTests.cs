using PocketNet.Data.Registry;
using PocketNet.Data.Synth;

namespace PocketNet.Data.Tests;

public class RegistryTests(SynthFixture fixture) : IClassFixture<SynthFixture>
{
    private static readonly string[] RealBenchmarks = ["lfw", "cfp_fp", "cfp_ff", "agedb_30", "calfw", "cplfw", "ijbb", "ijbc", "megaface"];

    private static string RepositoryRegistry =>
        Path.Combine(BenchmarkRoots.FindRepositoryDataFolder(AppContext.BaseDirectory)
                     ?? throw new InvalidOperationException("data/benchmarks.json not found above the test output"), BenchmarkRoots.RegistryFileName);

    [Fact]
    public void TheRepositoryRegistryListsTheNineBenchmarksAndTheirSyntheticStandIns()
    {
        using var temp = new TempDirectory();
        var registry = BenchmarkRegistry.Load(RepositoryRegistry, new BenchmarkRoots(temp.Path, fixture.Result.OutputFolder));
        Assert.Equal(RealBenchmarks, registry.Benchmarks.Where(b => !b.IsSynthetic).Select(b => b.Name));
        Assert.Equal(["synth_lfw", "synth_cfp_fp", "synth_agedb_30", "synth_ijb", "synth_megaface"],
            registry.Benchmarks.Where(b => b.IsSynthetic).Select(b => b.Name));

        BenchmarkEntry lfw = registry.Get("lfw");
        Assert.Equal(BenchmarkProtocol.Pairs, lfw.Protocol);
        Assert.Equal(6000, lfw.Published!.Pairs);
        Assert.Equal(Path.Combine(temp.Path, "faces_emore", "lfw.bin"), registry.ResolvePath(lfw));
        BenchmarkEntry ijbc = registry.Get("ijbc");
        Assert.Equal(BenchmarkProtocol.Ijb, ijbc.Protocol);
        Assert.Equal(469375, ijbc.Published!.Images);
        Assert.Equal(23124, ijbc.Published.Templates);
        Assert.Equal(19557, ijbc.Published.GenuinePairs);
        Assert.Contains("IJB_release/IJBC/meta/ijbc_face_tid_mid.txt", ijbc.ExpectedFiles);
        Assert.Equal(1_000_000, registry.Get("megaface").Published!.Distractors);
        Assert.Equal("cfp_fp", registry.Get("synth_cfp_fp").StandsInFor);
        Assert.Equal(Path.Combine(fixture.Result.OutputFolder, "synth_ijb"), registry.ResolvePath(registry.Get("synth_ijb")));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("lfw2"));
    }

    [Fact]
    public void StatusReportsMissingRealDataAndReadySyntheticData()
    {
        using var temp = new TempDirectory();
        var registry = BenchmarkRegistry.Load(RepositoryRegistry, new BenchmarkRoots(temp.Path, fixture.Result.OutputFolder));
        IReadOnlyList<BenchmarkStatus> statuses = registry.CheckAll();
        foreach (BenchmarkStatus status in statuses.Where(s => !s.IsSynthetic))
        {
            Assert.Equal(BenchmarkState.Missing, status.State);
            Assert.NotEmpty(status.MissingFiles);
            Assert.Contains("not found", status.Summary());
        }
        foreach (BenchmarkStatus status in statuses.Where(s => s.IsSynthetic))
        {
            Assert.True(status.IsReady, status.Summary());
            Assert.Empty(status.Warnings);
            Assert.Contains("[synthetic]", status.Summary());
        }
        var lfw = statuses.Single(s => s.Name == "synth_lfw");
        Assert.Equal(new BenchmarkCounts(Pairs: 40, Images: 80), lfw.Found);
        var ijb = statuses.Single(s => s.Name == "synth_ijb");
        Assert.Equal(fixture.Result.IjbImages, ijb.Found!.Images);
        Assert.Equal(6, ijb.Found.Templates);
        Assert.Equal(11, ijb.Found.Pairs);
        Assert.Equal(3, ijb.Found.GenuinePairs);
        var mega = statuses.Single(s => s.Name == "synth_megaface");
        Assert.Equal(new BenchmarkCounts(Images: 6, Identities: 2, Distractors: 8), mega.Found);
    }

    [Fact]
    public void IncompleteUnreadableAndMismatchedDataAreReported()
    {
        using var temp = new TempDirectory();
        var registry = BenchmarkRegistry.Load(RepositoryRegistry, new BenchmarkRoots(temp.Path, temp.Path));

        // An IJB folder without its pair list: incomplete.
        string meta = Path.Combine(temp.Path, "IJB_release", "IJBC", "meta");
        Directory.CreateDirectory(meta);
        Directory.CreateDirectory(Path.Combine(temp.Path, "IJB_release", "IJBC", "loose_crop"));
        File.WriteAllText(Path.Combine(meta, "ijbc_face_tid_mid.txt"), "1.jpg 1 1\n");
        File.WriteAllText(Path.Combine(meta, "ijbc_name_5pts_score.txt"), "1.jpg 1 2 3 4 5 6 7 8 9 10 0.9\n");
        BenchmarkStatus ijbc = registry.Check(registry.Get("ijbc"));
        Assert.Equal(BenchmarkState.Incomplete, ijbc.State);
        Assert.Equal(["IJB_release/IJBC/meta/ijbc_template_pair_label.txt"], ijbc.MissingFiles);

        // A pair set that is not a pickle: unreadable, with the reason.
        Directory.CreateDirectory(Path.Combine(temp.Path, "faces_emore"));
        File.WriteAllText(Path.Combine(temp.Path, "faces_emore", "lfw.bin"), "not a pickle");
        BenchmarkStatus lfw = registry.Check(registry.Get("lfw"));
        Assert.Equal(BenchmarkState.Unreadable, lfw.State);
        Assert.Contains("lfw.bin", lfw.Error);

        // A well-formed pair set with fewer pairs than published: ready, with a warning.
        File.Copy(fixture.Result.PairSets[SynthFaces.LfwName], Path.Combine(temp.Path, "faces_emore", "cfp_ff.bin"));
        BenchmarkStatus cfp = registry.Check(registry.Get("cfp_ff"));
        Assert.True(cfp.IsReady);
        Assert.Contains("40 pairs found, 7,000 published", cfp.Warnings);
        Assert.Equal(BenchmarkState.Ready, registry.Check(registry.Get("cfp_ff"), openData: false).State);
        Assert.Null(registry.Check(registry.Get("cfp_ff"), openData: false).Found);
    }

    [Theory]
    [InlineData("""{"version": 2, "benchmarks": []}""", "version 2")]
    [InlineData("""{"version": 1, "benchmarks": []}""", "missing or empty")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "Bad Name", "display_name": "x", "protocol": "pairs", "format": "insightface-bin", "path": "a", "expected_files": ["a"]}]}""", "lower-case")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "a", "display_name": "A", "protocol": "faces", "format": "x", "path": "a", "expected_files": ["a"]}]}""", "'faces' is not one of")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "a", "display_name": "A", "protocol": "ijb", "format": "insightface-bin", "path": "a", "expected_files": ["a"]}]}""", "does not fit protocol")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "a", "display_name": "A", "protocol": "pairs", "format": "insightface-bin", "path": "a", "expected_files": []}]}""", "expected_files")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "a", "display_name": "A", "protocol": "pairs", "format": "insightface-bin", "path": "a", "expected_files": ["a"], "published": {"pairs": -5}}]}""", "must be positive")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "a", "display_name": "A", "protocol": "pairs", "format": "insightface-bin", "path": "a", "expected_files": ["a"]}, {"name": "a", "display_name": "B", "protocol": "pairs", "format": "insightface-bin", "path": "b", "expected_files": ["b"]}]}""", "used twice")]
    [InlineData("""{"version": 1, "benchmarks": [{"name": "s", "display_name": "S", "protocol": "pairs", "format": "insightface-bin", "path": "s", "synthetic": true, "stands_in_for": "lfw", "expected_files": ["s"]}]}""", "not in the registry")]
    [InlineData("""{"version": 1, "benchmarks": [""", "not a valid benchmark registry")]
    public void InvalidRegistriesAreRejectedWithTheReason(string json, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => BenchmarkRegistry.Parse(json, "test.json", new BenchmarkRoots("/data", "/synth")));
        Assert.Contains("test.json", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void AbsolutePathsAndEnvironmentRootsAreHonoured()
    {
        const string json = """
            {"version": 1, "benchmarks": [
              {"name": "abs", "display_name": "Absolute", "protocol": "pairs", "format": "insightface-bin",
               "path": "/elsewhere/x.bin", "expected_files": ["/elsewhere/x.bin"], "published": {"pairs": 10}}]}
            """;
        var registry = BenchmarkRegistry.Parse(json, "abs.json", new BenchmarkRoots("/data", "/synth"));
        Assert.Equal("/elsewhere/x.bin", registry.ResolvePath(registry.Get("abs")));

        var roots = BenchmarkRoots.Resolve(dataRoot: "/explicit/data", synthRoot: "/explicit/synth");
        Assert.Equal("/explicit/data", roots.DataRoot);
        Assert.Equal("/explicit/synth", roots.SynthRoot);
    }
}
