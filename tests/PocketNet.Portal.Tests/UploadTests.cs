using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using PocketNet.Onnx.Analysis;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Leaderboard;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// POST /api/models/upload (issue #6): an external ONNX face model is checked, sized from its graph, stored,
/// evaluated on ONNX Runtime and ranked as external; anything else is refused with a clear error and leaves no file.
/// </summary>
public sealed class UploadTests(UploadTests.Portal portal) : IClassFixture<UploadTests.Portal>
{
    /// <summary>
    /// A portal of its own: these tests count models and files under its home. Its ONNX Runtime settings are not the
    /// defaults, and it profiles every evaluation into a folder outside its home.
    /// </summary>
    public sealed class Portal : IDisposable
    {
        public TempDirectory Profiles { get; } = new();
        public PortalFactory Factory { get; }
        public HttpClient Admin { get; }

        public Portal()
        {
            Factory = new PortalFactory
            {
                Settings =
                {
                    ["Portal:OnnxRuntime:IntraOpThreads"] = "1",
                    ["Portal:OnnxRuntime:OptimizationLevel"] = "Extended",
                    ["Portal:OnnxRuntime:ProfileOutputPrefix"] = Path.Combine(Profiles.Path, "evaluation"),
                },
            };
            Admin = Factory.CreateAdminClient();
        }

        public void Dispose()
        {
            Factory.Dispose();
            Profiles.Dispose();
        }
    }

    private HttpClient Admin => portal.Admin;

    [Fact]
    public async Task A_valid_onnx_face_model_uploads_with_its_size_read_from_the_graph()
    {
        HttpResponseMessage response = await UploadAsync(TinyOnnx.FaceModel, "tiny.onnx", "Tiny external, v1");
        ModelView model = await Problems.ReadAsync<ModelView>(response, HttpStatusCode.Created);
        Assert.Equal($"/api/models/{model.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(ModelOrigin.External, model.Origin);
        Assert.Equal("Tiny external, v1", model.DisplayName);
        Assert.Equal("tiny-external-v1", model.Name);
        Assert.Equal("ONNX", model.Architecture);
        Assert.Equal(32, model.EmbeddingSize);
        Assert.True(model.Downloadable);
        Assert.Empty(model.Results);
        Assert.Contains("latency at upload", model.Source); // timed on this host once it passed the submission checks

        using var folder = new TempDirectory();
        string copy = Path.Combine(folder.Path, "tiny.onnx");
        await File.WriteAllBytesAsync(copy, TinyOnnx.FaceModel);
        OnnxModelComplexity graph = OnnxGraphAnalysis.Analyze(copy);
        Assert.True(graph.Parameters > 10_000, $"{graph.Parameters} parameters");
        Assert.Equal(graph.Parameters, model.Parameters);
        Assert.NotNull(graph.MegaFlops);
        Assert.Equal(graph.MegaFlops!.Value, model.MegaFlops!.Value, 9);
        Assert.Contains("read from the graph", model.Source);

        string stored = Path.Combine(portal.Factory.Paths.ModelFolder(model.Name), "model.onnx");
        Assert.Equal(TinyOnnx.FaceModel, await File.ReadAllBytesAsync(stored));
        Assert.Empty(Directory.GetFileSystemEntries(portal.Factory.Paths.Uploads));
        Assert.Equal(TinyOnnx.FaceModel, await Admin.GetByteArrayAsync($"/api/models/{model.Id}/onnx"));
    }

    [Fact]
    public async Task An_uploaded_model_is_evaluated_on_onnx_runtime_and_ranked_as_external()
    {
        ModelView model = await Problems.ReadAsync<ModelView>(await UploadAsync(TinyOnnx.FaceModel, "ranked.onnx", "ranked external"), HttpStatusCode.Created);
        JobView job = await Problems.ReadAsync<JobView>(
            await Admin.PostAsJsonAsync("/api/evaluations", new { modelId = model.Id, benchmarks = new[] { "synth_lfw" }, device = "cpu" }),
            HttpStatusCode.Accepted);
        JobView done = await PortalFactory.WaitForJobAsync(Admin, job.Id);
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Error}");

        ModelView evaluated = (await Admin.GetFromJsonAsync<ModelView>($"/api/models/{model.Id}", ApiJson.Options))!;
        ResultView result = Assert.Single(evaluated.Results);
        Assert.Equal("synth_lfw", result.Benchmark);
        Assert.Equal("onnx", result.Runtime);
        Assert.True(result.Synthetic);
        Assert.InRange(result.Value, 0, 1);
        // The Portal:OnnxRuntime settings reached the session, and its profile was written where they say.
        LiveSnapshot events = (await Admin.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{job.Id}/events", ApiJson.Options))!;
        Assert.Contains(events.Log, l => l.Text.Contains("on Cpu, optimisation Extended, intra-op threads 1", StringComparison.Ordinal));
        string profile = Assert.Single(Directory.GetFiles(portal.Profiles.Path, "evaluation_*.json"));
        Assert.Contains(events.Log, l => l.Text == $"ONNX Runtime profile: {profile}");

        LeaderboardTable synthetic = (await Admin.GetFromJsonAsync<LeaderboardTable>("/api/leaderboard?scope=synthetic", ApiJson.Options))!;
        LeaderboardRow row = synthetic.Rows.Single(r => r.ModelId == model.Id);
        Assert.Equal(ModelOrigin.External, row.Origin);
        Assert.Equal(result.Value, row.Cells["synth_lfw"].Value);
        Assert.Equal(model.Parameters, row.Parameters);
        LeaderboardTable real = (await Admin.GetFromJsonAsync<LeaderboardTable>("/api/leaderboard?scope=real", ApiJson.Options))!;
        Assert.DoesNotContain(real.Rows, r => r.ModelId == model.Id);

        string csv = await Admin.GetStringAsync("/api/leaderboard?scope=synthetic&format=csv");
        Assert.Contains(Csv.Parse(csv), r => r[1] == model.Name && r[2] == "external");
    }

    [Fact]
    public async Task Without_a_name_the_model_is_named_after_its_file_and_a_taken_name_gets_a_suffix()
    {
        var first = await Problems.ReadAsync<ModelView>(await UploadAsync(TinyOnnx.FaceModel, "../../Some Model.onnx", name: "  "), HttpStatusCode.Created);
        var second = await Problems.ReadAsync<ModelView>(await UploadAsync(TinyOnnx.FaceModel, "Some Model.onnx", name: ""), HttpStatusCode.Created);
        Assert.Equal("Some Model", first.DisplayName);
        Assert.StartsWith("some-model", first.Name);
        Assert.Equal(first.Name + "-2", second.Name);
        Assert.True(File.Exists(Path.Combine(portal.Factory.Paths.ModelFolder(second.Name), "model.onnx")));
    }

    [Fact]
    public async Task A_name_longer_than_120_characters_is_refused()
    {
        int models = await CountModelsAsync();
        await Problems.AssertAsync(await UploadAsync(TinyOnnx.FaceModel, "long.onnx", new string('n', 121)), HttpStatusCode.BadRequest, "name", "120");
        Assert.Equal(models, await CountModelsAsync());
        Assert.Empty(Directory.GetFileSystemEntries(portal.Factory.Paths.Uploads));
    }

    [Fact]
    public async Task The_zip_of_an_external_model_holds_its_onnx_file_card_results_and_checksums_but_no_weights()
    {
        ModelView model = await Problems.ReadAsync<ModelView>(await UploadAsync(TinyOnnx.FaceModel, "zipped.onnx", "zipped external"), HttpStatusCode.Created);
        using var zip = new ZipArchive(await Admin.GetStreamAsync($"/api/models/{model.Id}/zip"), ZipArchiveMode.Read);
        Assert.Equal(["MODEL_CARD.md", "SHA256SUMS", "model.onnx", "results.json"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        using (var onnx = new MemoryStream())
        {
            using (Stream entry = zip.GetEntry("model.onnx")!.Open()) entry.CopyTo(onnx);
            Assert.Equal(TinyOnnx.FaceModel, onnx.ToArray());
        }
        using var card = new StreamReader(zip.GetEntry("MODEL_CARD.md")!.Open());
        string text = card.ReadToEnd();
        Assert.Contains("Origin: External", text);
        Assert.Contains("[N, 3, 112, 112]", text);
        Assert.Contains("Not evaluated yet.", text);
    }

    [Fact]
    public async Task Deleting_an_uploaded_model_removes_its_folder()
    {
        ModelView model = await Problems.ReadAsync<ModelView>(await UploadAsync(TinyOnnx.FaceModel, "short-lived.onnx", "short lived"), HttpStatusCode.Created);
        string folder = portal.Factory.Paths.ModelFolder(model.Name);
        Assert.True(Directory.Exists(folder));
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/api/models/{model.Id}")).StatusCode);
        Assert.False(Directory.Exists(folder));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"/api/models/{model.Id}")).StatusCode);
    }

    private static readonly Dictionary<string, (Func<byte[]> Bytes, string FileName, HttpStatusCode Status, string[] Mentions)> BadUploadCases = new()
    {
        ["random bytes"] = (() => Noise(50_000), "random.onnx", HttpStatusCode.BadRequest, ["random.onnx", "is refused", "not an ONNX model"]),
        ["a truncated model"] = (() => TinyOnnx.FaceModel[..(TinyOnnx.FaceModel.Length / 2)], "truncated.onnx", HttpStatusCode.BadRequest, ["truncated.onnx", "is refused", "not an ONNX model"]),
        ["a 64x64 input"] = (() => TinyOnnx.Crafted([null, 3, 64, 64], [null, 3]), "small-input.onnx", HttpStatusCode.BadRequest, ["small-input.onnx", "input", "64", "112"]),
        ["a grey-scale input"] = (() => TinyOnnx.Crafted([null, 1, 112, 112], [null, 1]), "grey.onnx", HttpStatusCode.BadRequest, ["grey.onnx", "input", "[N, 3, 112, 112]"]),
        ["an output that is no embedding"] = (() => TinyOnnx.Crafted([null, 3, 112, 112], [null, 3, 1, 1]), "no-embedding.onnx", HttpStatusCode.BadRequest, ["no-embedding.onnx", "output", "[N, E]"]),
        ["a fixed batch"] = (() => TinyOnnx.Crafted([1, 3, 112, 112], [1, 3]), "fixed.onnx", HttpStatusCode.BadRequest, ["fixed.onnx", "dynamic batch", "fixed at 1"]),
        ["an empty file"] = (() => [], "empty.onnx", HttpStatusCode.BadRequest, ["empty.onnx", "empty"]),
        ["a file that is not .onnx"] = (() => TinyOnnx.FaceModel, "model.pt", HttpStatusCode.BadRequest, ["model.pt", ".onnx"]),
        ["a file over the limit"] = (() => Noise(3 * 1024 * 1024), "huge.onnx", HttpStatusCode.RequestEntityTooLarge, ["limit", "2 MiB", "Portal:MaxUploadMegabytes"]),
    };

    public static TheoryData<string> BadUploads => new(BadUploadCases.Keys);

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task Bad_uploads_are_refused_with_a_clear_error_and_leave_no_file_behind(string why)
    {
        var (bytes, fileName, status, mentions) = BadUploadCases[why];
        int models = await CountModelsAsync();
        string[] folders = Directory.GetDirectories(portal.Factory.Paths.Models);

        Problem problem = await Problems.AssertAsync(await UploadAsync(bytes(), fileName, why), status, mentions);
        Assert.DoesNotContain(portal.Factory.Home, problem.Detail);
        Assert.Empty(Directory.GetFileSystemEntries(portal.Factory.Paths.Uploads));
        Assert.Equal(folders, Directory.GetDirectories(portal.Factory.Paths.Models));
        Assert.Equal(models, await CountModelsAsync());
    }

    [Fact]
    public async Task An_upload_over_the_limit_without_a_content_length_is_refused_as_too_large()
    {
        int models = await CountModelsAsync();
        var file = new StreamContent(new MemoryStream(Noise(4 * 1024 * 1024)));
        var form = new MultipartFormDataContent { { file, "file", "streamed.onnx" } };
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/models/upload") { Content = new ChunkedContent(form) };
        request.Headers.TransferEncodingChunked = true;
        Problem problem = await Problems.AssertAsync(await Admin.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "larger", "2 MiB", "Portal:MaxUploadMegabytes");
        Assert.DoesNotContain(portal.Factory.Home, problem.Detail);
        Assert.Empty(Directory.GetFileSystemEntries(portal.Factory.Paths.Uploads));
        Assert.Equal(models, await CountModelsAsync());
    }

    [Fact]
    public async Task An_upload_without_a_file_field_is_refused_naming_the_field()
    {
        var form = new MultipartFormDataContent { { new StringContent("nameless"), "name" } };
        await Problems.AssertAsync(await Admin.PostAsync("/api/models/upload", form), HttpStatusCode.BadRequest, "'file'");
    }

    [Fact]
    public async Task An_upload_that_is_not_a_form_is_refused_saying_what_to_send()
    {
        HttpResponseMessage response = await Admin.PostAsync("/api/models/upload", new ByteArrayContent(TinyOnnx.FaceModel));
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "multipart/form-data");
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string fileName, string name)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var form = new MultipartFormDataContent { { file, "file", fileName }, { new StringContent(name), "name" } };
        return await Admin.PostAsync("/api/models/upload", form);
    }

    private async Task<int> CountModelsAsync() => (await Admin.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!.Count;

    private static byte[] Noise(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends its content without a Content-Length (chunked), as a streaming client would.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly HttpContent _inner;

        public ChunkedContent(HttpContent inner)
        {
            _inner = inner;
            Headers.ContentType = inner.Headers.ContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
