using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PocketNet.Portal.Api;
using Microsoft.Extensions.DependencyInjection;
using PocketNet.Portal.Components.Results;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>One portal with one tiny run, trained and evaluated on the three kinds of synthetic benchmark, shared by the page tests.</summary>
public sealed class TinyRunPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = new();

    public ModelView Model { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        HttpClient admin = Portal.CreateAdminClient();
        HttpResponseMessage started = await admin.PostAsJsonAsync("/api/runs", TinyRuns.Training("results-pages", 2, "synth_lfw", "synth_ijb", "synth_megaface"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JobView job = await PortalFactory.WaitForJobAsync(admin, (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Id, TimeSpan.FromMinutes(6));
        Assert.True(job.State == JobState.Succeeded, $"the tiny run ended {job.State}: {job.Error}");
        Model = (await admin.GetFromJsonAsync<ModelView>($"/api/models/{job.ModelId}", ApiJson.Options))!;
    }

    public Task DisposeAsync()
    {
        Portal.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The leaderboard, chart, models and model pages as a visitor gets them after a tiny run.</summary>
public sealed class ResultsPagesTests(TinyRunPortal fixture) : IClassFixture<TinyRunPortal>
{
    private readonly HttpClient _client = fixture.Portal.CreateClient();
    private ModelView Model => fixture.Model;

    [Fact]
    public async Task The_synthetic_leaderboard_ranks_the_run_and_the_real_one_does_not()
    {
        string synthetic = await GetPageAsync("/leaderboard?scope=synthetic");
        Assert.Contains($"<tr data-model=\"{Model.Id}\"", synthetic);
        Assert.Contains("id=\"scope-synthetic\"", synthetic);
        Assert.Contains("synthetic-badge", synthetic);
        Assert.Matches("data-sort=\"synth_lfw\"", synthetic);
        Assert.Contains($"href=\"models/{Model.Id}\"", synthetic);

        string real = await GetPageAsync("/leaderboard?scope=real");
        Assert.DoesNotContain($"data-model=\"{Model.Id}\"", real);
        Assert.DoesNotContain("data-sort=\"synth_lfw\"", real);
    }

    [Fact]
    public async Task The_real_leaderboard_shows_the_papers_numbers_as_reference_rows_that_can_be_hidden()
    {
        int reference = await PublishedModelIdAsync();
        string real = await GetPageAsync("/leaderboard");
        Match row = Regex.Match(real, $"<tr data-model=\"{reference}\" class=\"reference\"[^>]*title=\"Published reference: [^\"]+\"");
        Assert.True(row.Success, "the published row is marked as a reference with its source");
        Assert.Contains("reference-badge", real);
        Assert.Contains($"id=\"reference-{reference}\"", real);
        // Its values say what they are: LFW carries the note on the two sources, MegaFace its own metric (a TAR, not rank-1).
        string footnote = Regex.Match(real, $"<li id=\"reference-{reference}\">.*?</li>", RegexOptions.Singleline).Value;
        Assert.Contains("https://doi.org/10.1109/ACCESS.2022.3170561", footnote);
        Assert.Contains("99.50", footnote);
        Assert.Contains("TAR at FAR=1e-6, verification, MegaFace (R): refined lists", footnote);
        string megaface = Regex.Match(real, $"<tr data-model=\"{reference}\".*?</tr>", RegexOptions.Singleline).Value;
        Assert.Matches(new Regex(@"other-metric"" data-benchmark=""megaface""\s+title=""TAR at FAR=1e-6[^""]*not the column"), megaface);

        // The filter knows modes by the names the table and run requests use, not only the stored enum name.
        Assert.Contains($"data-model=\"{reference}\"", await GetPageAsync("/leaderboard?filter=multi-step%20KD"));

        string hidden = await GetPageAsync("/leaderboard?reference=false");
        Assert.DoesNotContain($"data-model=\"{reference}\"", hidden);
        Assert.Contains("id=\"leaderboard-empty\"", hidden);
    }

    [Fact]
    public async Task Sorting_filtering_and_export_links_carry_the_query()
    {
        string page = await GetPageAsync("/leaderboard?scope=synthetic&sort=parameters&desc=false&filter=results");
        Assert.Contains($"data-model=\"{Model.Id}\"", page);
        // Sorted by parameters ascending: its header link now reverses the direction.
        Assert.Contains(WebUtility.HtmlEncode("leaderboard?scope=synthetic&sort=parameters&desc=true&filter=results"), page);
        string csvLink = Regex.Match(page, "id=\"export-csv\" href=\"([^\"]+)\"").Groups[1].Value;
        Assert.Equal("api/leaderboard?scope=synthetic&sort=parameters&desc=false&filter=results&format=csv", WebUtility.HtmlDecode(csvLink));
        string csv = await _client.GetStringAsync("/" + WebUtility.HtmlDecode(csvLink));
        Assert.Contains(Model.DisplayName, csv);
        string jsonLink = WebUtility.HtmlDecode(Regex.Match(page, "id=\"export-json\" href=\"([^\"]+)\"").Groups[1].Value);
        using JsonDocument json = JsonDocument.Parse(await _client.GetStringAsync("/" + jsonLink));
        Assert.Equal(Model.Id, json.RootElement.GetProperty("rows")[0].GetProperty("modelId").GetInt32());

        string none = await GetPageAsync("/leaderboard?scope=synthetic&filter=no-such-model");
        Assert.DoesNotContain($"data-model=\"{Model.Id}\"", none);
        Assert.Contains("No model matches this filter", none);

        string byMode = await GetPageAsync("/leaderboard?scope=synthetic&sort=mode");
        Assert.Contains($"data-model=\"{Model.Id}\"", byMode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/leaderboard?scope=synthetic&sort=data&format=csv")).StatusCode);
    }

    [Fact]
    public async Task The_chart_plots_the_model_and_the_frontier_on_a_log_axis()
    {
        foreach (string axis in new[] { "parameters", "flops" })
        {
            string page = await GetPageAsync($"/chart?benchmark=synth_lfw&axis={axis}");
            Assert.Contains("id=\"chart-form\"", page);
            Assert.Contains("<option value=\"synth_lfw\" selected", page);
            Assert.Contains($"<option value=\"{axis}\" selected", page);
            Assert.Contains("id=\"tradeoff-chart\"", page);
            // The chart is drawn in the browser (ChartPage over its circuit): its figure is the one TradeOffChart builds.
            TradeOffChart chart = await TradeOffChartAsync("synth_lfw", axis == "parameters" ? TradeOffAxis.Parameters : TradeOffAxis.Flops);
            using JsonDocument figure = ChartJson.Of(chart.Figure);
            Assert.Equal("log", figure.RootElement.GetProperty("layout").GetProperty("xaxis").GetProperty("type").GetString());
            var traces = figure.RootElement.GetProperty("data").EnumerateArray().ToList();
            JsonElement trained = traces.Single(t => t.GetProperty("name").GetString() == "trained here");
            Assert.Contains(Model.DisplayName, trained.GetProperty("text").EnumerateArray().Select(t => t.GetString()));
            int index = trained.GetProperty("text").EnumerateArray().Select(t => t.GetString()).ToList().IndexOf(Model.DisplayName);
            Assert.Equal($"models/{Model.Id}", chart.Figure.LinkAt(traces.IndexOf(trained), index));
            double x = trained.GetProperty("x")[0].GetDouble();
            Assert.Equal(axis == "parameters" ? Model.Parameters / 1e6 : Model.MegaFlops!.Value, x, 6);
            JsonElement frontier = traces.Single(t => t.GetProperty("name").GetString() == "Pareto frontier");
            Assert.Contains(Model.DisplayName, frontier.GetProperty("text").EnumerateArray().Select(t => t.GetString()));
            // One benchmark per chart: the synthetic chart holds no published (real) reference points.
            Assert.DoesNotContain(traces, t => t.GetProperty("name").GetString()!.StartsWith("published", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_chart_explains_an_empty_benchmark_and_a_wrong_one()
    {
        string empty = await GetPageAsync("/chart?benchmark=synth_cfp_fp");
        Assert.Contains("id=\"chart-empty\"", empty);
        Assert.Contains("train a model", empty);
        Assert.DoesNotContain("id=\"tradeoff-chart\"", empty);

        string wrong = await GetPageAsync("/chart?benchmark=no_such_benchmark");
        Assert.Contains("There is no benchmark &#x27;no_such_benchmark&#x27;", wrong);
    }

    [Fact]
    public async Task The_models_page_lists_stored_and_published_models_and_the_registry()
    {
        int reference = await PublishedModelIdAsync();
        string page = await GetPageAsync("/models");
        Match stored = Regex.Match(page, "<table class=\"grid models-table\" id=\"models\">.*?</table>", RegexOptions.Singleline);
        Assert.Contains($"data-model=\"{Model.Id}\"", stored.Value);
        Assert.DoesNotContain($"data-model=\"{reference}\"", stored.Value);
        Assert.Contains($"data-model=\"{reference}\"", Regex.Match(page, "id=\"published-models\".*?</table>", RegexOptions.Singleline).Value);
        Assert.Contains("data-architecture=\"pocketnet-s-128\"", page);
        Assert.Contains("data-architecture=\"iresnet100\"", page);
    }

    [Fact]
    public async Task The_model_page_draws_both_cells_shows_results_roc_zip_and_face_comparison()
    {
        string page = await GetPageAsync($"/models/{Model.Id}");
        Assert.Contains("<svg id=\"genotype-normal\"", page);
        Assert.Contains("<svg id=\"genotype-reduce\"", page);
        Assert.Contains("dw_conv_7x7", page);
        Assert.Contains($"id=\"download-zip\" class=\"button\" href=\"api/models/{Model.Id}/zip\"", page);
        foreach (string file in new[] { "weights.safetensors", "config.json", "model.onnx", "reproducibility.json", "training-events.jsonl", "results.json", "MODEL_CARD.md", "SHA256SUMS" })
            Assert.Contains($"data-file=\"{file}\"", page);
        Assert.Contains("id=\"model-card\"", page);
        Assert.Contains("SYNTHETIC", page);
        Assert.Contains($"href=\"runs/{Model.JobId}\"", page);

        string results = Regex.Match(page, "<table class=\"grid\" id=\"model-results\"[^>]*>.*?</table>", RegexOptions.Singleline).Value;
        foreach (string benchmark in new[] { "synth_lfw", "synth_ijb", "synth_megaface" })
            Assert.Contains($"data-benchmark=\"{benchmark}\"", results);

        Assert.Contains("id=\"roc-chart\"", page);
        // The first ROC chart (the model has synthetic results only), as ModelResultsView builds it over its circuit.
        var newest = Components.Models.StoredModelsTable.NewestResults(await fixture.Portal.Services.GetRequiredService<PocketNet.Portal.Catalog.ModelQueries>().ResultsAsync(Model.Id));
        using JsonDocument roc = ChartJson.Of(RocChart.Figure(RocChart.Curves(newest).GroupBy(c => c.Synthetic).OrderBy(g => g.Key).First().ToList()));
        Assert.Equal("log", roc.RootElement.GetProperty("layout").GetProperty("xaxis").GetProperty("type").GetString());
        var curves = roc.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.True(curves.Count >= 2, "pair-set and IJB curves");
        Assert.All(curves, c => Assert.All(c.GetProperty("x").EnumerateArray(), x => Assert.True(x.GetDouble() > 0)));

        Assert.Contains("id=\"face-compare\"", page);
        foreach (string id in new[] { "face-a", "face-b", "face-compare-run", "face-compare-result" })
            Assert.Contains($"id=\"{id}\"", page);
        Assert.Contains($"data-onnx-url=\"api/models/{Model.Id}/onnx\"", page);
        Assert.Contains("<script src=\"js/face-compare.js\"></script>", page);
        Assert.Contains("Nothing is uploaded", page);
        // Visitors do not get the delete form.
        Assert.DoesNotContain("id=\"delete-model\"", page);
    }

    [Fact]
    public async Task A_network_of_cells_trained_here_is_named_pocketnet_as_the_papers_rows_are()
    {
        Assert.Equal("PocketNet", Model.Architecture);
        int reference = await PublishedModelIdAsync();
        ModelView paper = (await _client.GetFromJsonAsync<ModelView>($"/api/models/{reference}", ApiJson.Options))!;
        Assert.Equal(paper.Architecture, Model.Architecture);
        Assert.Contains("<dd>PocketNet</dd>", await GetPageAsync($"/models/{Model.Id}"));
    }

    [Fact]
    public async Task The_models_onnx_uploaded_back_explains_its_smaller_parameter_count_by_folded_batch_norms()
    {
        HttpClient admin = fixture.Portal.CreateAdminClient();
        var file = new ByteArrayContent(await admin.GetByteArrayAsync($"/api/models/{Model.Id}/onnx"));
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        HttpResponseMessage uploaded = await admin.PostAsync("/api/models/upload",
            new MultipartFormDataContent { { file, "file", "exported.onnx" }, { new StringContent("exported back"), "name" } });
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        ModelView external = (await uploaded.Content.ReadFromJsonAsync<ModelView>(ApiJson.Options))!;
        // Each batch norm (2C: scale and shift) became its convolution's bias (C): the graph holds fewer numbers.
        Assert.True(external.Parameters < Model.Parameters, $"graph {external.Parameters}, trainable {Model.Parameters}");
        string ours = Model.Parameters.ToString("N0", CultureInfo.InvariantCulture), graph = external.Parameters.ToString("N0", CultureInfo.InvariantCulture);
        Assert.NotNull(external.Note);
        Assert.StartsWith($"{graph} parameters counted in the ONNX graph; ", external.Note);
        Assert.Contains($"has {ours} trainable parameters", external.Note);
        Assert.Contains("folds each batch norm into the convolution", external.Note);
        Assert.Equal(external.Note, PageForms.Text(await GetPageAsync($"/models/{external.Id}"), "model-note"));
    }

    [Fact]
    public async Task The_published_row_page_draws_the_papers_cells_and_offers_no_zip()
    {
        int reference = await PublishedModelIdAsync();
        string page = await GetPageAsync($"/models/{reference}");
        Assert.Contains("<svg id=\"genotype-normal\"", page);
        Assert.Contains("<svg id=\"genotype-reduce\"", page);
        Assert.DoesNotContain("id=\"download-zip\"", page);
        Assert.DoesNotContain("id=\"face-compare\"", page);
        Assert.Contains("published reference", page);
        Assert.Contains("id=\"model-source-link\"", page);
        Assert.Contains("id=\"model-note\"", page);
        Assert.Contains("TAR at FAR=1e-6, verification, MegaFace (R): refined lists", page);
        Assert.Contains("published number. Two sources disagree", page);
    }

    [Fact]
    public async Task An_unknown_model_answers_a_clear_not_found()
    {
        HttpResponseMessage missing = await _client.GetAsync("/models/987654");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("There is no model 987654", await missing.Content.ReadAsStringAsync());

        HttpResponseMessage word = await _client.GetAsync("/models/abc");
        Assert.Equal(HttpStatusCode.NotFound, word.StatusCode);
        Assert.Contains("is not a model id", WebUtility.HtmlDecode(await word.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Only_the_admin_deletes_a_model_through_its_page()
    {
        // A model of its own to delete: the run's ONNX file uploaded as an external model.
        HttpClient admin = fixture.Portal.CreateAdminClient();
        byte[] onnx = await admin.GetByteArrayAsync($"/api/models/{Model.Id}/onnx");
        using var upload = new MultipartFormDataContent { { new ByteArrayContent(onnx), "file", "copy.onnx" }, { new StringContent("delete me"), "name" } };
        HttpResponseMessage created = await admin.PostAsync("/api/models/upload", upload);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        int id = (await created.Content.ReadFromJsonAsync<ModelView>(ApiJson.Options))!.Id;

        // A visitor with a valid antiforgery token (from the sign-in page) is refused.
        HttpClient visitor = fixture.Portal.CreateClient();
        string token = AntiforgeryToken(await visitor.GetStringAsync("/login"));
        await visitor.PostAsync($"/models/{id}", DeleteForm(token));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/models/{id}")).StatusCode);

        string adminPage = await admin.GetStringAsync($"/models/{id}");
        Assert.Contains("id=\"delete-model\"", adminPage);
        HttpResponseMessage deleted = await admin.PostAsync($"/models/{id}", DeleteForm(AntiforgeryToken(adminPage)));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.EndsWith("/models", deleted.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/models/{id}")).StatusCode);
    }

    private async Task<string> GetPageAsync(string path)
    {
        HttpResponseMessage response = await _client.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 400)]}");
        return body;
    }

    private async Task<int> PublishedModelIdAsync()
    {
        var models = (await _client.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!;
        return models.Single(m => m.Origin == ModelOrigin.Published && m.Name == "paper-pocketnet-s-128").Id;
    }

    private async Task<TradeOffChart> TradeOffChartAsync(string benchmark, TradeOffAxis axis)
    {
        LeaderboardService leaderboard = fixture.Portal.Services.GetRequiredService<LeaderboardService>();
        LeaderboardTable table = await leaderboard.BuildAsync(new LeaderboardQuery(LeaderboardScope.Synthetic, IncludeReference: true));
        return TradeOffChart.Of(table.Rows, table.Columns.Single(c => c.Benchmark == benchmark), axis);
    }

    private static string AntiforgeryToken(string html) =>
        WebUtility.HtmlDecode(Regex.Match(html, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value) is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException("no antiforgery token on the page");

    private static FormUrlEncodedContent DeleteForm(string token) =>
        new([new("_handler", "delete-model"), new("__RequestVerificationToken", token)]);
}
