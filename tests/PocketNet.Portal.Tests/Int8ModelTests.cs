using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using PocketNet.Onnx.Quantization;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// "Quantise to int8" on a model page (admin only): the int8 graph is stored as a model of its own linked to its float
/// model, evaluated on that model's benchmarks, and set beside it on the leaderboard with the change and the speed-up.
/// </summary>
public sealed class Int8ModelTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task The_admin_quantises_a_model_from_its_page_and_the_int8_row_stands_beside_it()
    {
        HttpClient admin = _portal.CreateAdminClient();
        // The float model: a small face network uploaded as ONNX, evaluated on the synthetic LFW.
        var file = new ByteArrayContent(TinyOnnx.FaceModel);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        ModelView source = await Problems.ReadAsync<ModelView>(await admin.PostAsync("/api/models/upload",
            new MultipartFormDataContent { { file, "file", "tiny.onnx" }, { new StringContent("Tiny float"), "name" } }), HttpStatusCode.Created);
        JobView evaluated = await Problems.ReadAsync<JobView>(await admin.PostAsJsonAsync("/api/evaluations",
            new { modelId = source.Id, benchmarks = new[] { "synth_lfw" }, runtime = "onnx" }), HttpStatusCode.Accepted);
        Assert.Equal(JobState.Succeeded, (await PortalFactory.WaitForJobAsync(admin, evaluated.Id)).State);

        // A visitor, even with a valid antiforgery token, gets neither the button nor a quantisation.
        HttpClient visitor = PageForms.Browser(_portal);
        string visitorPage = await PageForms.GetPageAsync(visitor, $"/models/{source.Id}");
        Assert.DoesNotContain("id=\"quantize-model\"", visitorPage);
        await PageForms.PostAsync(visitor, $"/models/{source.Id}", "quantize-model", await PageForms.GetPageAsync(visitor, "/login"), []);
        Assert.DoesNotContain(await ModelsAsync(admin), m => m.Origin == ModelOrigin.Quantized);

        HttpClient browser = PageForms.Browser(_portal);
        await PageForms.SignInAsync(browser);
        string page = await PageForms.GetPageAsync(browser, $"/models/{source.Id}");
        Assert.Contains("id=\"quantize-model\"", page);
        HttpResponseMessage posted = await PageForms.PostAsync(browser, $"/models/{source.Id}", "quantize-model", page, []);
        ModelView int8 = Assert.Single(await ModelsAsync(admin), m => m.Origin == ModelOrigin.Quantized);
        Assert.True(posted.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"answered {(int)posted.StatusCode}");
        Assert.EndsWith($"models/{int8.Id}", posted.Headers.Location?.OriginalString);
        Assert.Equal(source.Id, int8.QuantizedFromId);
        Assert.Equal("Tiny float (int8)", int8.DisplayName);
        Assert.Equal(source.Parameters, int8.Parameters);
        Assert.NotNull(int8.LatencyMilliseconds);
        // The tiny SynthFaces set holds fewer than Int8Models.CalibrationImages images: all of them calibrate.
        Assert.Matches(@"calibrated on \d+ images of SynthFaces \(synthetic\)$", int8.Source);
        string stored = Path.Combine(_portal.Paths.ModelFolder(int8.Name), "model.onnx");
        Assert.True(OnnxQuantizer.IsQuantized(stored));

        // Its evaluation was queued on the float model's benchmark and ran on ONNX Runtime.
        List<JobView> jobs = (await admin.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!;
        JobView job = await PortalFactory.WaitForJobAsync(admin, Assert.Single(jobs, j => j.ModelId == int8.Id).Id);
        Assert.True(job.State == JobState.Succeeded, job.Error);
        int8 = (await admin.GetFromJsonAsync<ModelView>($"/api/models/{int8.Id}", ApiJson.Options))!;
        source = (await admin.GetFromJsonAsync<ModelView>($"/api/models/{source.Id}", ApiJson.Options))!;
        double change = Assert.Single(int8.Results).Value - Assert.Single(source.Results).Value;

        // The leaderboard: the int8 row right after its float model, the change under its result, whatever the sort.
        foreach (string sort in new[] { "", "&sort=name&desc=true", "&sort=latency" })
        {
            string board = await PageForms.GetPageAsync(admin, "/leaderboard?scope=synthetic" + sort);
            List<string> order = Regex.Matches(board, "<tr data-model=\"(\\d+)\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(order.IndexOf(source.Id.ToString()) + 1, order.IndexOf(int8.Id.ToString()));
        }
        string leaderboard = await PageForms.GetPageAsync(admin, "/leaderboard?scope=synthetic");
        string row = WebUtility.HtmlDecode(Regex.Match(leaderboard, $"<tr data-model=\"{int8.Id}\".*?</tr>", RegexOptions.Singleline).Value);
        Assert.Contains($"int8 of <a href=\"models/{source.Id}\">Tiny float</a>", row);
        Assert.Contains($">{Components.Results.ResultFormat.Change(change)}</div>", row);
        // Both timed by this host: the speed-up is the float latency over the int8 one (no timing asserted, only the ratio shown).
        Assert.Equal(source.LatencyHost, int8.LatencyHost);
        Assert.Contains($">{Components.Results.ResultFormat.SpeedUp(source.LatencyMilliseconds!.Value / int8.LatencyMilliseconds!.Value)}</div>", row);
        // The host that timed them is named under the table, with the number of rows it timed.
        Assert.Contains($"<span class=\"latency-host\">{WebUtility.HtmlEncode(source.LatencyHost)}</span> (2 models)", leaderboard);

        // The pages link the two, and the float model offers no second quantisation.
        Assert.Contains($"href=\"models/{source.Id}\"", await PageForms.GetPageAsync(browser, $"/models/{int8.Id}"));
        string after = await PageForms.GetPageAsync(browser, $"/models/{source.Id}");
        Assert.Contains("id=\"model-int8-link\"", after);
        Assert.DoesNotContain("id=\"quantize-model\"", after);
        Assert.DoesNotContain("id=\"quantize-model\"", await PageForms.GetPageAsync(browser, $"/models/{int8.Id}"));
    }

    private static async Task<List<ModelView>> ModelsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!;
}
