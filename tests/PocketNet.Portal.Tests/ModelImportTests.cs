using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tests;

/// <summary>POST /api/models/import: a downloaded model zip comes back as the same model; hostile or broken zips are refused by name.</summary>
public sealed class ModelImportTests : IClassFixture<ModelImportTests.TrainedPortal>
{
    /// <summary>A portal with one tiny trained model, evaluated on the synthetic LFW stand-in.</summary>
    public sealed class TrainedPortal : IAsyncLifetime
    {
        public PortalFactory Portal { get; } = new();
        public HttpClient Admin { get; private set; } = default!;
        public ModelView Model { get; private set; } = default!;
        public byte[] Zip { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Admin = Portal.CreateAdminClient();
            HttpResponseMessage started = await Admin.PostAsJsonAsync("/api/runs", TinyRuns.Training("import-source", benchmarks: ["synth_lfw"]));
            JobView job = await PortalFactory.WaitForJobAsync(Admin, (await started.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Id);
            Assert.True(job.State == JobState.Succeeded, job.Error);
            Model = (await Admin.GetFromJsonAsync<ModelView>($"/api/models/{job.ModelId}", ApiJson.Options))!;
            Zip = await Admin.GetByteArrayAsync($"/api/models/{Model.Id}/zip");
        }

        public Task DisposeAsync()
        {
            Portal.Dispose();
            return Task.CompletedTask;
        }
    }

    private readonly TrainedPortal _fixture;

    public ModelImportTests(TrainedPortal fixture) => _fixture = fixture;

    [Fact]
    public async Task A_downloaded_zip_imports_as_the_same_network_and_evaluates_to_the_same_accuracy()
    {
        HttpResponseMessage response = await Import(_fixture.Zip, "round-trip");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        ModelView imported = (await response.Content.ReadFromJsonAsync<ModelView>(ApiJson.Options))!;
        Assert.Equal(ModelOrigin.Imported, imported.Origin);
        Assert.Equal(_fixture.Model.Parameters, imported.Parameters);
        Assert.Equal(_fixture.Model.MegaFlops, imported.MegaFlops);
        Assert.True(imported.SyntheticTraining, "the zip's config.json records SynthFaces as synthetic");
        Assert.Empty(imported.Results);

        HttpResponseMessage evaluation = await _fixture.Admin.PostAsJsonAsync("/api/evaluations", new { modelId = imported.Id, benchmarks = new[] { "synth_lfw" } });
        JobView done = await PortalFactory.WaitForJobAsync(_fixture.Admin, (await evaluation.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Id);
        Assert.True(done.State == JobState.Succeeded, done.Error);
        ModelView evaluated = (await _fixture.Admin.GetFromJsonAsync<ModelView>($"/api/models/{imported.Id}", ApiJson.Options))!;
        // Same weights, same data, same protocol: the same accuracy to the last bit.
        Assert.Equal(_fixture.Model.Results.Single(r => r.Benchmark == "synth_lfw").Value, evaluated.Results.Single().Value);
    }

    [Fact]
    public async Task An_entry_with_a_path_is_refused_so_nothing_can_land_outside_the_model_folder()
    {
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            add(name, content);
            if (name == "config.json") add("../../evil.txt", "owned"u8.ToArray());
        });
        await AssertRefused(await Import(zip, "zip-slip"), "'../../evil.txt' is not allowed");
        Assert.False(File.Exists(Path.Combine(_fixture.Portal.Home, "evil.txt")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_fixture.Portal.Home, "uploads")));
    }

    [Fact]
    public async Task Weights_that_do_not_match_their_checksum_are_refused()
    {
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            if (name == "weights.safetensors") content[^1] ^= 0xFF;
            add(name, content);
        });
        await AssertRefused(await Import(zip, "tampered"), "weights.safetensors does not match its SHA-256");
    }

    [Fact]
    public async Task A_zip_without_config_or_a_file_that_is_no_zip_is_refused_by_name()
    {
        byte[] noConfig = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            if (name is not ("config.json" or "SHA256SUMS")) add(name, content);
        });
        await AssertRefused(await Import(noConfig, "no-config"), "config.json is missing");
        await AssertRefused(await Import(Encoding.UTF8.GetBytes("not a zip at all"), "garbage"), "is not a readable zip");
    }

    [Fact]
    public async Task A_config_json_larger_than_any_config_is_refused()
    {
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            if (name == "config.json") add(name, [.. content, .. Enumerable.Repeat((byte)' ', 100 * 1024)]);
            else if (name != "SHA256SUMS") add(name, content);
        });
        await AssertRefused(await Import(zip, "big-config"), "config.json unpacks to more than 65,536 bytes");
    }

    [Fact]
    public async Task A_model_onnx_that_is_no_onnx_model_is_refused()
    {
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            if (name == "model.onnx") add(name, "<html>not a model</html>"u8.ToArray());
            else if (name != "SHA256SUMS") add(name, content);
        });
        await AssertRefused(await Import(zip, "not-onnx"), "model.onnx");
        Assert.Empty(Directory.GetFileSystemEntries(_fixture.Portal.Paths.Uploads));
    }

    [Fact]
    public async Task A_model_onnx_of_another_network_is_refused()
    {
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            if (name == "model.onnx") add(name, TinyOnnx.Crafted([null, 3, 112, 112], [null, 3]));
            else if (name != "SHA256SUMS") add(name, content);
        });
        await AssertRefused(await Import(zip, "other-onnx"), "3-dimensional embeddings, config.json says 32");
    }

    [Fact]
    public async Task A_bad_checksum_line_is_named_by_number_and_never_repeated()
    {
        string secret = new('Q', 5000);
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
            add(name, name == "SHA256SUMS" ? [.. content, .. System.Text.Encoding.UTF8.GetBytes(secret + "\n")] : content));
        HttpResponseMessage response = await Import(zip, "bad-sums");
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("line 8 of SHA256SUMS", body); // after the seven files the zip lists (weights, config, ONNX, reproducibility record, event log, results, card)
        Assert.DoesNotContain("QQQQ", body);
        Assert.True(body.Length < 1000, $"the error is {body.Length} characters");
    }

    [Fact]
    public async Task A_config_that_does_not_read_is_refused_without_naming_the_server_s_folders()
    {
        byte[] zip = Rewrite(_fixture.Zip, (name, content, add) =>
        {
            if (name == "config.json") add(name, "{\"architecture\": 42}"u8.ToArray());
            else if (name != "SHA256SUMS") add(name, content);
        });
        HttpResponseMessage response = await Import(zip, "broken-config");
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("config.json", body);
        Assert.DoesNotContain(_fixture.Portal.Home, body);
        Assert.Empty(Directory.GetFileSystemEntries(_fixture.Portal.Paths.Uploads));
    }

    [Fact]
    public async Task Importing_needs_the_admin()
    {
        using var content = Form(_fixture.Zip, "anonymous");
        HttpResponseMessage response = await _fixture.Portal.CreateClient().PostAsync("/api/models/import", content);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<HttpResponseMessage> Import(byte[] zip, string name)
    {
        using var content = Form(zip, name);
        return await _fixture.Admin.PostAsync("/api/models/import", content);
    }

    private static MultipartFormDataContent Form(byte[] zip, string name) => new()
    {
        { new ByteArrayContent(zip), "file", $"{name}.zip" },
        { new StringContent(name), "name" },
    };

    private static async Task AssertRefused(HttpResponseMessage response, string expected)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.Contains(expected, body);
    }

    /// <summary>A copy of <paramref name="zip"/> whose entries pass through <paramref name="edit"/>, which adds what the copy holds.</summary>
    private static byte[] Rewrite(byte[] zip, Action<string, byte[], Action<string, byte[]>> edit)
    {
        var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                using var buffer = new MemoryStream();
                using (Stream stream = entry.Open()) stream.CopyTo(buffer);
                edit(entry.FullName, buffer.ToArray(), (name, content) =>
                {
                    using Stream written = target.CreateEntry(name).Open();
                    written.Write(content);
                });
            }
        }
        return output.ToArray();
    }
}
