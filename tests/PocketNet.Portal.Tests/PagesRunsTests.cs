using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>The dashboard and run pages, read and posted as a browser without scripts would.</summary>
public sealed class PagesRunsTests
{
    [Fact]
    public async Task Dashboard_and_run_page_follow_a_run_started_through_the_api()
    {
        using var portal = new PortalFactory();
        HttpClient admin = portal.CreateAdminClient();
        HttpClient visitor = PageForms.Browser(portal);

        HttpResponseMessage started = await admin.PostAsJsonAsync("/api/runs", TinyRuns.Training("page run", benchmarks: ["synth_lfw"]));
        JobView job = (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
        string dashboard = await PageForms.GetPageAsync(visitor, "/");
        Assert.Contains($"<tr data-job=\"{job.Id}\"", dashboard);
        Assert.Contains("page run", dashboard);

        JobView done = await PortalFactory.WaitForJobAsync(admin, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"job ended {done.State}: {done.Error}");

        dashboard = await PageForms.GetPageAsync(visitor, "/");
        Assert.Contains($"<tr data-job=\"{job.Id}\" data-state=\"Succeeded\"", dashboard);

        string page = await PageForms.GetPageAsync(visitor, $"/runs/{job.Id}");
        Assert.Equal("Succeeded", PageForms.Text(page, "run-state"));
        Assert.Equal("100", ProgressOf(page));
        Assert.Equal($"models/{done.ModelId}", PageForms.Attribute(page, "run-model-link", "href"));
        Assert.Contains("\"trainingSet\": \"SynthFaces\"", WebUtility.HtmlDecode(page));
        Assert.Contains("id=\"run-options\"", page);
        Assert.Contains("epoch 2 done", LogOf(page));
        // The worker that ran it: this process, as host:pid.
        Assert.Equal(done.Worker, $"{Environment.MachineName}:{Environment.ProcessId}");
        string worker = System.Text.RegularExpressions.Regex.Match(page, "id=\"run-worker\"[^>]*>(.*?)</p>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains($"ran on worker <code>{done.Worker}</code>", worker);
        Assert.Contains("queue cpu", worker);

        // The charts are drawn in the browser; the prerendered frames say what they hold.
        Assert.Equal("1", PageForms.Attribute(page, "loss-chart", "data-traces"));
        Assert.True(int.Parse(PageForms.Attribute(page, "loss-chart", "data-points")) > 0, "the loss curve has no points");
        Assert.Equal(PageForms.Attribute(page, "loss-chart", "data-points"), PageForms.Attribute(page, "learning-rate-chart", "data-points"));
        Assert.Equal("1", PageForms.Attribute(page, "accuracy-chart", "data-traces"));
        Assert.Equal("2", PageForms.Attribute(page, "accuracy-chart", "data-points"));

        Assert.DoesNotContain("id=\"cancel-run\"", page);
        Assert.DoesNotContain("id=\"delete-run\"", page);
    }

    [Fact]
    public async Task The_new_run_form_starts_a_run_for_the_admin_only()
    {
        using var portal = new PortalFactory();
        HttpClient browser = PageForms.Browser(portal);
        string login = await PageForms.GetPageAsync(browser, "/login");

        HttpResponseMessage refused = await PageForms.PostAsync(browser, "/", "new-run", login, RunFields());
        Assert.NotEqual(HttpStatusCode.Found, refused.StatusCode);
        Assert.Empty((await portal.CreateClient().GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!);

        await PageForms.SignInAsync(browser);
        string dashboard = await PageForms.GetPageAsync(browser, "/");
        Assert.Contains("id=\"new-run-form\"", dashboard);
        Assert.Contains("id=\"run-benchmark-synth_lfw\"", dashboard);

        HttpResponseMessage bad = await PageForms.PostAsync(browser, "/", "new-run", dashboard,
            RunFields().Select(f => f.Key == "Input.Genotype" ? new KeyValuePair<string, string>(f.Key, "Genotype(nonsense)") : f));
        string badPage = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.StartsWith("Genotype:", PageForms.Text(badPage, "run-error"));
        Assert.Contains("id=\"run-processes\"", dashboard);
        Assert.Contains("id=\"run-optimizer\"", dashboard);
        HttpResponseMessage noProcesses = await PageForms.PostAsync(browser, "/", "new-run", dashboard,
            RunFields().Select(f => f.Key == "Input.Processes" ? new KeyValuePair<string, string>(f.Key, "0") : f));
        Assert.StartsWith("Processes (GPUs):", PageForms.Text(await noProcesses.Content.ReadAsStringAsync(), "run-error"));

        HttpResponseMessage accepted = await PageForms.PostAsync(browser, "/", "new-run", dashboard, RunFields());
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        JobView job = Assert.Single((await portal.CreateClient().GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!);
        Assert.EndsWith($"/runs/{job.Id}", accepted.Headers.Location!.ToString());
        Assert.Equal(["synth_lfw"], job.Request.GetProperty("validation").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(4, job.Request.GetProperty("cells").GetInt32());
        Assert.Equal(2, job.Request.GetProperty("processes").GetInt32());
        Assert.Equal("adamw", job.Request.GetProperty("optimizer").GetString());
        Assert.Equal(0.05, job.Request.GetProperty("weightDecay").GetDouble());

        // Cancelled through the API only to end the test sooner (the run page's buttons act over its circuit: RunActionsTests).
        Assert.Equal(HttpStatusCode.Accepted, (await portal.CreateAdminClient().PostAsync($"/api/runs/{job.Id}/cancel", null)).StatusCode);
        Assert.True((await PortalFactory.WaitForJobAsync(browser, job.Id)).State == JobState.Cancelled);
    }

    [Fact]
    public async Task A_finished_search_links_to_the_training_form_with_its_genotype()
    {
        using var portal = new PortalFactory();
        HttpClient admin = portal.CreateAdminClient();
        HttpClient browser = PageForms.Browser(portal);
        await PageForms.SignInAsync(browser);

        HttpResponseMessage started = await admin.PostAsJsonAsync("/api/searches", TinyRuns.Search());
        JobView job = (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
        JobView done = await PortalFactory.WaitForJobAsync(admin, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"search ended {done.State}: {done.Error}");

        string page = await PageForms.GetPageAsync(browser, $"/runs/{job.Id}");
        Assert.Equal(done.Genotype, PageForms.Text(page, "run-genotype-found"));
        Assert.True(int.Parse(PageForms.Attribute(page, "loss-chart", "data-points")) > 0, "the search's loss curve has no points");
        string link = PageForms.Attribute(page, "train-genotype", "href");
        Assert.Equal($"?genotype={Uri.EscapeDataString(done.Genotype!)}#new-run-form", link);

        string prefilled = await PageForms.GetPageAsync(browser, "/" + link[..link.IndexOf('#')]);
        Assert.Equal(done.Genotype, PageForms.Text(prefilled, "run-genotype"));
        Assert.Matches("<option value=\"\"[^>]*selected", prefilled);
    }

    [Fact]
    public async Task An_unknown_run_answers_not_found_and_says_there_is_no_such_job()
    {
        using var portal = new PortalFactory();
        HttpResponseMessage response = await PageForms.Browser(portal).GetAsync("/runs/999");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("There is no job 999", PageForms.Text(await response.Content.ReadAsStringAsync(), "run-not-found"));
    }

    [Fact]
    public async Task An_address_no_page_serves_gets_the_not_found_page()
    {
        using var portal = new PortalFactory();
        HttpResponseMessage response = await PageForms.Browser(portal).GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        string page = await response.Content.ReadAsStringAsync();
        Assert.Contains("There is nothing at", PageForms.Text(page, "not-found"));
        Assert.Contains("<code>no/such/page</code>", page);
    }

    [Fact]
    public async Task A_refused_run_shows_its_error_next_to_the_field_under_the_forms_label()
    {
        using var portal = new PortalFactory();
        HttpClient browser = PageForms.Browser(portal);
        await PageForms.SignInAsync(browser);
        string dashboard = await PageForms.GetPageAsync(browser, "/");
        // KD without a teacher: the planner names the field "teacher" and the API's "teacherModelId".
        HttpResponseMessage refused = await PageForms.PostAsync(browser, "/", "new-run", dashboard,
            RunFields().Select(f => f.Key == "Input.Mode" ? new KeyValuePair<string, string>(f.Key, "kd") : f));
        string page = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        string teacher = Regex.Match(page, "<label>Teacher .*?</label>", RegexOptions.Singleline).Value;
        string message = WebUtility.HtmlDecode(Regex.Match(teacher, "<div class=\"validation-message\">([^<]*)</div>").Groups[1].Value);
        Assert.StartsWith("Teacher: kd needs a stored teacher model", message);
        Assert.DoesNotContain("teacherModelId", message);
        Assert.Contains("aria-invalid=\"true\"", Regex.Match(teacher, "<select[^>]*>").Value);
        Assert.Equal(message, PageForms.Text(page, "run-error"));
        // Only that field is marked.
        Assert.Single(Regex.Matches(page, "class=\"validation-message\""));
        Assert.Empty((await portal.CreateClient().GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!);

        // A number out of range is named by its label too, next to its field.
        HttpResponseMessage tooSmall = await PageForms.PostAsync(browser, "/", "new-run", dashboard,
            RunFields().Select(f => f.Key == "Input.BatchSize" ? new KeyValuePair<string, string>(f.Key, "1") : f));
        string batch = Regex.Match(await tooSmall.Content.ReadAsStringAsync(), "<label>Batch size .*?</label>", RegexOptions.Singleline).Value;
        Assert.Contains("<div class=\"validation-message\">Batch size: 1 is outside 2..", batch);
    }

    [Fact]
    public async Task The_upload_form_needs_the_admin_and_says_what_is_wrong_with_a_file()
    {
        using var portal = new PortalFactory();
        HttpClient browser = PageForms.Browser(portal);
        HttpResponseMessage anonymous = await browser.PostAsync("/models/upload-form", Upload("model.onnx", "x"u8.ToArray(), null));
        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Contains("/login", anonymous.Headers.Location!.ToString());

        await PageForms.SignInAsync(browser);
        string dashboard = await PageForms.GetPageAsync(browser, "/");
        HttpResponseMessage refused = await browser.PostAsync("/models/upload-form", Upload("model.txt", "x"u8.ToArray(), PageForms.Token(dashboard)));
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        string back = refused.Headers.Location!.ToString();
        Assert.Contains("uploadError=", back);

        string shown = await PageForms.GetPageAsync(browser, back);
        Assert.Contains("is not an .onnx file", PageForms.Text(shown, "upload-error"));
        Assert.DoesNotContain((await portal.CreateClient().GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!, m => m.Origin == ModelOrigin.External);
    }

    private static MultipartFormDataContent Upload(string fileName, byte[] bytes, string? token)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", fileName }, { new StringContent("uploaded"), "name" } };
        if (token is not null) form.Add(new StringContent(token), "__RequestVerificationToken");
        return form;
    }

    private static List<KeyValuePair<string, string>> RunFields() =>
    [
        new("Input.Name", "form run"),
        new("Input.Model", ""),
        new("Input.Genotype", TinyRuns.Genotype),
        new("Input.Channels", "4"),
        new("Input.Cells", "4"),
        new("Input.EmbeddingSize", "32"),
        new("Input.Mode", "arcface"),
        new("Input.TrainingSet", "SynthFaces"),
        new("Input.Epochs", "50"),
        new("Input.BatchSize", "8"),
        new("Input.LearningRate", "0.1"),
        new("Input.Optimizer", "adamw"),
        new("Input.WeightDecay", "0.05"),
        new("Input.Device", "cpu"),
        new("Input.Processes", "2"),
        new("Input.Validation[synth_lfw]", "true"),
    ];

    private static string ProgressOf(string page) =>
        System.Text.RegularExpressions.Regex.Match(page, "id=\"run-progress\"><div class=\"progress\"[^>]*data-progress=\"(\\d+)\"").Groups[1].Value;

    private static string LogOf(string page) =>
        WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "id=\"run-log\">(.*?)</pre>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value);

}
