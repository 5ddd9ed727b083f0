using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The leaderboard over the API: real and synthetic results never in one table; the paper's numbers as reference rows.</summary>
[Collection(TrainedPortalCollection.Name)]
public sealed class LeaderboardApiTests(TrainedPortal trained)
{
    [Fact]
    public async Task The_synthetic_leaderboard_has_the_trained_model_on_synthetic_benchmarks_only()
    {
        LeaderboardTable table = await TableAsync("scope=synthetic");
        Assert.Equal(LeaderboardScope.Synthetic, table.Scope);
        Assert.NotEmpty(table.Columns);
        Assert.All(table.Columns, c => Assert.True(c.Synthetic && c.Benchmark.StartsWith("synth_", StringComparison.Ordinal), c.Benchmark));
        // A row per runtime: the libtorch one always (other classes of the collection may add an ONNX Runtime one).
        LeaderboardRow row = table.Rows.Single(r => r.ModelId == trained.Model.Id && r.Runtime == "libtorch");
        Assert.Equal(ModelOrigin.Trained, row.Origin);
        Assert.False(row.IsReference);
        Assert.True(row.SyntheticTraining);
        Assert.Equal(trained.Model.Parameters, row.Parameters);
        Assert.Contains("synth_lfw", row.Cells.Keys);
        Assert.All(row.Cells.Keys, k => Assert.Contains(k, table.Columns.Select(c => c.Benchmark)));
        // Each cell is the model's newest libtorch result on that benchmark (other classes of the collection may add some).
        ModelView model = (await trained.Admin.GetFromJsonAsync<ModelView>($"/api/models/{trained.Model.Id}", ApiJson.Options))!;
        foreach (var (benchmark, cell) in row.Cells)
        {
            Assert.Equal(model.Results.Where(r => r.Benchmark == benchmark && r.Runtime == "libtorch").MaxBy(r => (r.CreatedAt, r.Id))!.Value, cell.Value);
            Assert.Equal("libtorch", cell.Runtime);
        }
        Assert.DoesNotContain(table.Rows, r => r.IsReference);
    }

    [Fact]
    public async Task The_real_leaderboard_has_the_published_reference_row_and_not_the_synthetic_model()
    {
        LeaderboardTable table = await TableAsync("scope=real");
        Assert.Equal(LeaderboardScope.Real, table.Scope);
        Assert.All(table.Columns, c => Assert.False(c.Synthetic, c.Benchmark));
        Assert.Equal(9, table.Columns.Count);
        Assert.DoesNotContain(table.Rows, r => r.ModelId == trained.Model.Id);
        LeaderboardRow paper = table.Rows.Single(r => r.Name == "paper-pocketnet-s-128");
        Assert.True(paper.IsReference);
        Assert.Equal(ModelOrigin.Published, paper.Origin);
        Assert.Equal(925_632, paper.Parameters);
        Assert.Equal(587.11, paper.MegaFlops);
        Assert.Equal(0.9958, paper.Cells["lfw"].Value, 10);
        Assert.Null(paper.Cells["lfw"].Std);
        Assert.Equal(0.9162, paper.Cells["ijbc"].Value, 10);
        Assert.Contains("TAR at FAR=1e-6", paper.Cells["megaface"].Metric);
        Assert.True(paper.Cells["megaface"].OtherMetric);
        Assert.Equal(0.9610, paper.Cells["agedb_30"].Value, 10);
        Assert.Equal(0.9548, paper.Cells["calfw"].Value, 10);
        Assert.Equal(0.9421, paper.Cells["cfp_fp"].Value, 10);
        Assert.Equal(0.8963, paper.Cells["cplfw"].Value, 10);
        Assert.Equal("published", paper.Cells["lfw"].Runtime);
    }

    [Fact]
    public async Task A_published_models_view_carries_its_source_link_and_notes()
    {
        var models = (await trained.Admin.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!;
        ModelView paper = models.Single(m => m.Name == "paper-pocketnet-s-128");
        Assert.Equal("https://doi.org/10.1109/ACCESS.2022.3170561", paper.SourceUrl);
        Assert.Contains("90.54 %", paper.Note);
        ResultView lfw = paper.Results.Single(r => r.Benchmark == "lfw");
        Assert.Equal("accuracy, 10-fold verification", lfw.Metric);
        Assert.Contains("99.50", lfw.Note);
    }

    [Fact]
    public async Task The_default_scope_is_real()
    {
        LeaderboardTable table = await TableAsync("");
        Assert.Equal(LeaderboardScope.Real, table.Scope);
    }

    [Fact]
    public async Task Reference_rows_can_be_left_out()
    {
        LeaderboardTable table = await TableAsync("scope=real&reference=false");
        Assert.DoesNotContain(table.Rows, r => r.IsReference);
    }

    [Fact]
    public async Task The_csv_export_has_units_in_the_header_and_the_reference_row_in_percent()
    {
        HttpResponseMessage response = await trained.Admin.GetAsync("/api/leaderboard?scope=real&format=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        List<string[]> rows = Csv.Parse(await response.Content.ReadAsStringAsync());
        string[] header = rows[0];
        Assert.Equal(["model", "name", "origin", "runtime", "architecture", "parameters", "mflops", "mmacs", "latency_ms", "latency_host", "training_mode", "training_data", "synthetic_training"], header[..13]);
        Assert.Contains("lfw accuracy (%)", header);
        Assert.Contains("ijbc TAR@FAR=1e-4 (%)", header);
        Assert.Contains("megaface rank-1 (%)", header);
        string[] paper = rows.Single(r => r[1] == "paper-pocketnet-s-128");
        Assert.Equal("published (reference)", paper[2]);
        Assert.Equal("published", paper[3]);
        Assert.Equal("99.58", paper[Array.IndexOf(header, "lfw accuracy (%)")]);
        Assert.Equal("89.63", paper[Array.IndexOf(header, "cplfw accuracy (%)")]);
        Assert.Equal("587.11", paper[6]);
        Assert.Equal("no", paper[12]);
        Assert.Equal("", paper[8]); // a published row has no latency on this host
        Assert.DoesNotContain(rows, r => r[1] == trained.Model.Name);
    }

    [Fact]
    public async Task The_synthetic_csv_has_the_trained_models_row()
    {
        string csv = await trained.Admin.GetStringAsync("/api/leaderboard?scope=synthetic&format=csv");
        List<string[]> rows = Csv.Parse(csv);
        string[] row = rows.Single(r => r[1] == trained.Model.Name && r[3] == "libtorch");
        Assert.Equal("yes", row[12]);
        // timed on this host when it was registered (ONNX Runtime, batch 1), with the CPU named
        Assert.True(double.Parse(row[8], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("ONNX Runtime", row[9]);
        // A network trained here has both costs, MACs about half its FLOPs (convolutions and linear layers only).
        double flops = double.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture), macs = double.Parse(row[7], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(macs / flops, 0.3, 0.5);
        Assert.Equal("trained", row[2]);
    }

    private async Task<LeaderboardTable> TableAsync(string query) =>
        (await trained.Admin.GetFromJsonAsync<LeaderboardTable>($"/api/leaderboard?{query}", ApiJson.Options))!;
}
