using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PocketNet.Data.Registry;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The paper's numbers become reference rows that keep their ids across loads and follow the file.</summary>
public sealed class PublishedResultsTests : IDisposable
{
    private readonly TestStore _store = new();
    private readonly PublishedResults _published;
    private readonly string _repositoryFile = Path.Combine(BenchmarkRoots.FindRepositoryDataFolder()!, PublishedResults.FileName);

    public PublishedResultsTests() => _published = new PublishedResults(_store, TestStore.Registry, NullLogger<PublishedResults>.Instance);

    public void Dispose() => _store.Dispose();

    [Fact]
    public void The_repositorys_file_gives_the_papers_pocketnet_s_128_row_in_fractions_with_its_metrics()
    {
        _published.Load(_repositoryFile);
        ModelRecord row = Published().Single(m => m.Name == "paper-pocketnet-s-128");
        Assert.Equal(ModelOrigin.Published, row.Origin);
        Assert.Null(row.Folder);
        Assert.Equal(925_632, row.Parameters);
        Assert.Equal(587.11, row.MegaFlops);
        Assert.Equal("https://doi.org/10.1109/ACCESS.2022.3170561", row.SourceUrl);
        var results = row.Results.ToDictionary(r => r.Benchmark);
        Assert.Equal(["agedb_30", "calfw", "cfp_fp", "cplfw", "ijbb", "ijbc", "lfw", "megaface"], results.Keys.Order());
        // The paper's table, not the training log's last step (99.50 +- 0.37): the note says why.
        Assert.Equal(0.9958, results["lfw"].Value, 12);
        Assert.Null(results["lfw"].Std);
        Assert.Contains("99.50", results["lfw"].Note);
        Assert.Equal(0.9610, results["agedb_30"].Value, 12);
        Assert.Equal("TAR at FAR=1e-6, verification, MegaFace (R): refined lists", results["megaface"].Metric);
        Assert.Equal("accuracy, 10-fold verification", results["lfw"].Metric);
        // The unrefined MegaFace number has no column: it travels in the row's note.
        Assert.Contains("original (unrefined) lists, TAR at FAR=1e-6, verification: 90.54 %", row.Note);
        Assert.All(row.Results, r => Assert.Equal("published", r.Runtime));
        Assert.All(row.Results, r => Assert.False(r.Synthetic));
        Assert.Equal("LFW", results["lfw"].DisplayName);
    }

    [Fact]
    public void Loading_twice_keeps_the_rows_ids_and_does_not_duplicate_their_results()
    {
        _published.Load(_repositoryFile);
        var ids = Published().ToDictionary(m => m.Name, m => m.Id);
        int results = Published().Sum(m => m.Results.Count);
        _published.Load(_repositoryFile);
        Assert.Equal(ids, Published().ToDictionary(m => m.Name, m => m.Id));
        using PortalDbContext db = _store.CreateDbContext();
        Assert.Equal(results, db.Results.Count());
    }

    [Fact]
    public void A_changed_file_updates_rows_in_place_and_drops_rows_it_no_longer_has()
    {
        string file = Path.Combine(_store.Folder, "published.json");
        File.WriteAllText(file, Document(("paper-a", 99.0), ("paper-b", 98.0)));
        _published.Load(file);
        int a = Published().Single(m => m.Name == "paper-a").Id;

        File.WriteAllText(file, Document(("paper-a", 97.5)));
        _published.Load(file);
        ModelRecord row = Published().Single();
        Assert.Equal(a, row.Id);
        Assert.Equal(0.975, row.Results.Single().Value, 12);
    }

    [Fact]
    public void Trained_models_are_never_touched_by_a_load()
    {
        using (PortalDbContext db = _store.CreateDbContext())
        {
            db.Models.Add(new ModelRecord { Name = "paper-a", DisplayName = "mine", Architecture = "PocketNet", Origin = ModelOrigin.Trained });
            db.SaveChanges();
        }
        string file = Path.Combine(_store.Folder, "published.json");
        File.WriteAllText(file, Document(("paper-b", 99.0)));
        _published.Load(file);
        using PortalDbContext check = _store.CreateDbContext();
        Assert.Equal("mine", check.Models.Single(m => m.Name == "paper-a").DisplayName);
    }

    [Fact]
    public void Without_the_file_there_are_no_reference_rows()
    {
        _published.Load(_repositoryFile);
        _published.Load(Path.Combine(_store.Folder, "no-such-file.json"));
        Assert.Empty(Published());
    }

    [Fact]
    public void A_file_naming_an_unknown_benchmark_is_refused_naming_it()
    {
        string file = Path.Combine(_store.Folder, "published.json");
        File.WriteAllText(file, Document(("paper-a", 99.0)).Replace("\"lfw\"", "\"lfw_hd\""));
        var error = Assert.Throws<InvalidDataException>(() => _published.Load(file));
        Assert.Contains("lfw_hd", error.Message);
        Assert.Contains("paper-a", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_json_is_refused_naming_the_file()
    {
        string file = Path.Combine(_store.Folder, "published.json");
        File.WriteAllText(file, "{ \"version\": 1, \"models\": [ oops");
        var error = Assert.Throws<InvalidDataException>(() => _published.Load(file));
        Assert.Contains(file, error.Message);
    }

    private List<ModelRecord> Published()
    {
        using PortalDbContext db = _store.CreateDbContext();
        return db.Models.AsNoTracking().Include(m => m.Results).Where(m => m.Origin == ModelOrigin.Published).ToList();
    }

    private static string Document(params (string Name, double Lfw)[] models) =>
        $$"""
        { "version": 1, "models": [ {{string.Join(", ", models.Select(m => $$"""
            { "name": "{{m.Name}}", "display_name": "{{m.Name}}", "architecture": "PocketNet", "embedding_size": 128, "parameters": 1,
              "mega_flops": 1, "training_mode": "ArcFace", "training_data": "MS1MV2", "source": "test",
              "results": { "lfw": { "value": {{m.Lfw.ToString(System.Globalization.CultureInfo.InvariantCulture)}} } } }
            """))}} ] }
        """;
}
