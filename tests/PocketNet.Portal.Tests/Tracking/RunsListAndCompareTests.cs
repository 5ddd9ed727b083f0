using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PocketNet.Portal.Store;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Tests.Tracking;

/// <summary>
/// The runs list (/runs and GET /api/runs/search), tags and notes (PUT .../annotations and the pages' form) and the
/// comparison of runs (/runs/compare). Jobs are written into a portal's own store in finished states, with run folders
/// holding their resolved options, so the runner leaves them alone.
/// </summary>
public sealed class RunsListAndCompareTests : IDisposable
{
    private readonly PortalFactory _portal = new();
    private readonly HttpClient _admin;
    private readonly int _lr01, _lr005, _eval, _failed;

    public RunsListAndCompareTests()
    {
        _admin = _portal.CreateAdminClient();
        _lr01 = Seed("ArcFace lr 0.1", JobKind.Training, JobState.Succeeded, """{"model":"pocketnet-s-128","epochs":2,"lr":0.1}""", """{"milestones":[1],"seed":7}""", loss: 2.5, tags: "baseline");
        _lr005 = Seed("ArcFace lr 0.05", JobKind.Training, JobState.Succeeded, """{"model":"pocketnet-s-128","epochs":2,"lr":0.05}""", """{"milestones":[1],"seed":7}""", loss: 3.1, tags: "baseline,lr-sweep");
        _eval = Seed("Evaluate model 3", JobKind.Evaluation, JobState.Succeeded, """{"model_id":3}""", null, loss: null, tags: null);
        _failed = Seed("KD that ran out of memory", JobKind.Training, JobState.Failed, """{"mode":"kd"}""", null, loss: null, tags: "lr-sweep", notes: "batch 512 too large for the card");
        using PortalDbContext db = _portal.Store.CreateDbContext();
        var model = new ModelRecord
        {
            Name = "compared", DisplayName = "compared", Origin = ModelOrigin.Trained, Architecture = "CellNetwork", Parameters = 1, EmbeddingSize = 128,
            CreatedAt = DateTime.UtcNow,
        };
        db.Models.Add(model);
        db.SaveChanges();
        db.Results.Add(new ResultRecord { ModelId = model.Id, JobId = _lr01, Benchmark = "synth_lfw", DisplayName = "SynthFaces LFW", Protocol = "Pairs", Synthetic = true, Metric = "accuracy", Value = 0.91, Runtime = "libtorch", CreatedAt = DateTime.UtcNow });
        db.Results.Add(new ResultRecord { ModelId = model.Id, JobId = _lr005, Benchmark = "synth_lfw", DisplayName = "SynthFaces LFW", Protocol = "Pairs", Synthetic = true, Metric = "accuracy", Value = 0.87, Runtime = "libtorch", CreatedAt = DateTime.UtcNow });
        db.SaveChanges();
    }

    private int Seed(string title, JobKind kind, JobState state, string request, string? options, double? loss, string? tags, string? notes = null)
    {
        string? folder = null;
        if (options is not null)
        {
            folder = Path.Combine(_portal.Home, "runs", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, RunDirectory.OptionsFile), options);
        }
        using PortalDbContext db = _portal.Store.CreateDbContext();
        var job = new JobRecord
        {
            Kind = kind, State = state, Title = title, RequestJson = request, Device = "cpu", CreatedAt = DateTime.UtcNow, FinishedAt = DateTime.UtcNow,
            Attempts = 1, Loss = loss, Tags = tags, Notes = notes, RunFolder = folder,
        };
        db.Jobs.Add(job);
        db.SaveChanges();
        return job.Id;
    }

    /// <summary>"total: id, id, ..." of one page of the search, so a failure shows both sides.</summary>
    private async Task<string> SearchAsync(string query)
    {
        using JsonDocument json = JsonDocument.Parse(await _admin.GetStringAsync("/api/runs/search?" + query));
        return Page(json.RootElement.GetProperty("total").GetInt32(),
            json.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToArray());
    }

    private static string Page(int total, params int[] ids) => $"{total}: {string.Join(", ", ids)}";

    [Fact]
    public async Task The_search_filters_by_kind_state_tag_and_text_sorts_and_pages()
    {
        Assert.Equal(Page(4, _failed, _eval, _lr005, _lr01), await SearchAsync(""));
        Assert.Equal(Page(3, _failed, _lr005, _lr01), await SearchAsync("kind=training"));
        Assert.Equal(Page(1, _failed), await SearchAsync("state=failed"));
        Assert.Equal(Page(2, _failed, _lr005), await SearchAsync("tag=lr-sweep"));
        Assert.Equal(Page(0), await SearchAsync("tag=lr_sweep")); // '_' is no wildcard here
        Assert.Equal(Page(1, _failed), await SearchAsync("q=MEMORY"));
        Assert.Equal(Page(1, _failed), await SearchAsync("q=too%20large")); // notes are searched too
        Assert.Equal(Page(4, _lr005, _lr01), await SearchAsync("sort=title&desc=false&page_size=2"));
        Assert.Equal(Page(4, _eval, _failed), await SearchAsync("sort=title&desc=false&page_size=2&page=2"));
        Assert.Equal(Page(4, _lr01, _lr005, _eval, _failed), await SearchAsync("sort=loss&desc=false")); // runs without a loss last, by id
        HttpResponseMessage unknown = await _admin.GetAsync("/api/runs/search?kind=finetune");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("kind 'finetune' is not one of training, search, evaluation", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Tags_and_notes_are_replaced_by_the_admin_only_and_bad_ones_are_refused_with_the_rule()
    {
        var body = new { tags = new[] { "Distilled", "paper" }, notes = "  the run of record  " };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _portal.CreateClient().PutAsJsonAsync($"/api/runs/{_eval}/annotations", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PutAsJsonAsync($"/api/runs/{_eval}/annotations", body)).StatusCode);
        using (JsonDocument run = JsonDocument.Parse(await _admin.GetStringAsync($"/api/runs/{_eval}")))
        {
            Assert.Equal(["distilled", "paper"], run.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal("the run of record", run.RootElement.GetProperty("notes").GetString());
        }

        HttpResponseMessage bad = await _admin.PutAsJsonAsync($"/api/runs/{_eval}/annotations", new { tags = new[] { "semi;colon" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("semi;colon", await bad.Content.ReadAsStringAsync());
        HttpResponseMessage spaced = await _admin.PutAsJsonAsync($"/api/runs/{_eval}/annotations", new { tags = new[] { "two words" } });
        Assert.Contains("send each tag as its own string", await spaced.Content.ReadAsStringAsync());
        HttpResponseMessage longNotes = await _admin.PutAsJsonAsync($"/api/runs/{_eval}/annotations", new { notes = new string('x', 4001) });
        Assert.Contains("at most 4000", await longNotes.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PutAsJsonAsync("/api/runs/9999/annotations", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PutAsJsonAsync("/api/models/9999/annotations", body)).StatusCode);
        // The refused writes left the tags as they were.
        Assert.Equal(Page(1, _eval), await SearchAsync("tag=paper"));
    }

    [Fact]
    public async Task The_run_pages_form_saves_tags_and_notes_for_the_signed_in_admin()
    {
        HttpClient browser = PageForms.Browser(_portal);
        string visitor = await PageForms.GetPageAsync(browser, $"/runs/{_lr01}");
        Assert.DoesNotContain("id=\"annotations-form\"", visitor);
        Assert.Contains("href=\"runs?tag=baseline\"", visitor);

        await PageForms.SignInAsync(browser);
        string page = await PageForms.GetPageAsync(browser, $"/runs/{_lr01}");
        Assert.Equal("baseline", PageForms.Attribute(page, "annotations-tags", "value"));
        HttpResponseMessage saved = await PageForms.PostAsync(browser, $"/runs/{_lr01}", "annotations", page,
            [new("Input.Tags", "baseline, Seed-7"), new("Input.Notes", "first try")]);
        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        string after = await PageForms.GetPageAsync(browser, $"/runs/{_lr01}");
        Assert.Equal("first try", PageForms.Text(after, "annotations-notes"));
        Assert.Contains("href=\"runs?tag=seed-7\"", after);

        HttpResponseMessage refused = await PageForms.PostAsync(browser, $"/runs/{_lr01}", "annotations", after, [new("Input.Tags", "bad/tag")]);
        string refusal = await refused.Content.ReadAsStringAsync();
        Assert.Contains("tag &#x27;bad/tag&#x27; may hold only", refusal);
    }

    [Fact]
    public async Task The_runs_page_lists_filters_and_links_every_run_and_offers_its_tags()
    {
        string all = await PageForms.GetPageAsync(_portal.CreateClient(), "/runs");
        foreach (int id in new[] { _lr01, _lr005, _eval, _failed }) Assert.Contains($"data-run=\"{id}\"", all);
        Assert.Contains("<option value=\"lr-sweep\"", all);
        Assert.Equal("4 runs · page 1 of 1", PageForms.Text(all, "runs-count"));

        string swept = await PageForms.GetPageAsync(_portal.CreateClient(), "/runs?tag=lr-sweep&sort=title&desc=false");
        Assert.DoesNotContain($"data-run=\"{_lr01}\"", swept);
        Assert.True(swept.IndexOf($"data-run=\"{_lr005}\"", StringComparison.Ordinal) < swept.IndexOf($"data-run=\"{_failed}\"", StringComparison.Ordinal));
        Assert.Contains("No run matches these filters.", await PageForms.GetPageAsync(_portal.CreateClient(), "/runs?q=nothing-like-this"));
    }

    [Fact]
    public async Task Comparing_two_runs_shows_only_the_settings_that_differ_their_curves_and_their_results_side_by_side()
    {
        string page = await PageForms.GetPageAsync(_portal.CreateClient(), $"/runs/compare?id={_lr01}&id={_lr005}");
        Assert.Contains("data-setting=\"request.lr\"", page);
        Assert.DoesNotContain("data-setting=\"request.epochs\"", page);
        Assert.DoesNotContain("data-setting=\"options.seed\"", page);
        Assert.Contains("id=\"compare-loss-chart\"", page);
        Assert.Contains("91.00 %", page);
        Assert.Contains("87.00 %", page);

        string one = await PageForms.GetPageAsync(_portal.CreateClient(), $"/runs/compare?id={_lr01}&id=9999");
        Assert.Contains("One run is not a comparison", one);
        Assert.Contains("No run 9999", one);
    }

    public void Dispose() => _portal.Dispose();
}
