using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PocketNet.Application.Models;
using PocketNet.Onnx.Runtime;
using PocketNet.Portal.Api;
using PocketNet.Portal.Tests.Support;
using PocketNet.Torch;

namespace PocketNet.Portal.Tests;

/// <summary>
/// GET /api/models/{id}/zip of the trained model: the files, checksums that hold, the card and results that match the
/// store. The model is read together with its zip, since other classes of the collection evaluate it further.
/// </summary>
[Collection(TrainedPortalCollection.Name)]
public sealed class ModelZipTests(TrainedPortal trained) : IAsyncLifetime
{
    private static readonly string[] Files =
    [
        "weights.safetensors", "config.json", "model.onnx", "reproducibility.json", "training-events.jsonl", "results.json", "MODEL_CARD.md", "SHA256SUMS",
    ];

    private Dictionary<string, byte[]> _entries = [];
    private HttpResponseMessage _response = null!;
    private ModelView _model = null!;

    public async Task InitializeAsync()
    {
        _model = (await trained.Admin.GetFromJsonAsync<ModelView>($"/api/models/{trained.Model.Id}", ApiJson.Options))!;
        _response = await trained.Admin.GetAsync($"/api/models/{_model.Id}/zip");
        Assert.Equal(HttpStatusCode.OK, _response.StatusCode);
        using var zip = new ZipArchive(await _response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        _entries = zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = new MemoryStream();
            using (Stream entry = e.Open()) entry.CopyTo(stream);
            return stream.ToArray();
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void The_zip_is_named_after_the_model()
    {
        Assert.Equal("application/zip", _response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{_model.Name}.zip", _response.Content.Headers.ContentDisposition?.FileNameStar ?? _response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public void The_zip_holds_weights_config_onnx_reproducibility_record_event_log_results_card_and_checksums() =>
        Assert.Equal(Files.Order(), _entries.Keys.Order());

    [Fact]
    public void Every_checksum_matches_its_file_and_every_other_file_is_listed()
    {
        string[] lines = Encoding.UTF8.GetString(_entries["SHA256SUMS"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var sums = lines.Select(line => line.Split("  ", 2)).ToDictionary(parts => parts[1], parts => parts[0]);
        Assert.Equal(Files.Where(f => f != "SHA256SUMS").Order(), sums.Keys.Order());
        foreach (var (file, sum) in sums)
        {
            Assert.Matches("^[0-9a-f]{64}$", sum);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_entries[file])), sum);
        }
    }

    [Fact]
    public void The_reproducibility_record_names_the_software_the_seed_and_the_synthetic_training_data()
    {
        using var record = JsonDocument.Parse(_entries["reproducibility.json"]);
        JsonElement start = record.RootElement.EnumerateArray().Single();
        Assert.False(start.GetProperty("resumed").GetBoolean());
        Assert.True(start.GetProperty("synthetic_data").GetBoolean());
        Assert.StartsWith(".NET 10", start.GetProperty("dot_net").GetString());
        Assert.Equal(start.GetProperty("seed").GetInt32(), start.GetProperty("options").GetProperty("seed").GetInt32());
        Assert.StartsWith("sha256:", start.GetProperty("training_data_checksum").GetString());
        Assert.Contains("\"kind\":\"step\"", Encoding.UTF8.GetString(_entries["training-events.jsonl"]));
    }

    [Fact]
    public void The_files_are_the_stored_models_files()
    {
        string folder = trained.Portal.Paths.ModelFolder(_model.Name);
        foreach (string file in new[] { "weights.safetensors", "config.json", "model.onnx" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(folder, file)), _entries[file]);
    }

    [Fact]
    public void The_model_card_says_synthetic_and_gives_size_with_units()
    {
        string card = Encoding.UTF8.GetString(_entries["MODEL_CARD.md"]);
        Assert.StartsWith($"# {_model.DisplayName}", card);
        Assert.Contains("**SYNTHETIC**", card);
        Assert.Contains($"Parameters: {_model.Parameters.ToString("N0", CultureInfo.InvariantCulture)}", card);
        Assert.Contains("MFLOPs per 112x112 image", card);
        Assert.Contains("| Synthetic LFW | synthetic | accuracy", card);
        Assert.Contains("sha256sum -c SHA256SUMS", card);
    }

    [Fact]
    public void Results_json_holds_the_stored_results()
    {
        using JsonDocument document = JsonDocument.Parse(_entries["results.json"]);
        JsonElement root = document.RootElement;
        Assert.Equal(_model.Name, root.GetProperty("model").GetString());
        Assert.Equal(_model.Parameters, root.GetProperty("parameters").GetInt64());
        Assert.True(root.GetProperty("synthetic_training").GetBoolean());
        var written = root.GetProperty("results").EnumerateArray()
            .Select(r => (Benchmark: r.GetProperty("benchmark").GetString()!, Value: r.GetProperty("value").GetDouble(), Std: r.GetProperty("std").GetDouble(),
                Runtime: r.GetProperty("runtime").GetString()!, Synthetic: r.GetProperty("synthetic").GetBoolean(), Details: r.GetProperty("details")))
            .ToList();
        Assert.Equal(_model.Results.Count, written.Count);
        Assert.Contains(written, r => r.Benchmark == "synth_lfw");
        foreach (ResultView stored in _model.Results)
        {
            var result = Assert.Single(written, r => r.Benchmark == stored.Benchmark && r.Runtime == stored.Runtime && r.Value == stored.Value);
            Assert.Equal(stored.Std, result.Std);
            Assert.True(result.Synthetic);
            JsonElement pairs = result.Details.GetProperty("pairs");
            Assert.Equal(stored.Value, pairs.GetProperty("mean_accuracy").GetDouble(), 12);
            Assert.Equal(10, pairs.GetProperty("fold_accuracies").GetArrayLength());
        }
    }

    [Fact]
    public void The_weights_and_the_onnx_file_load_after_unzipping()
    {
        using var folder = new TempDirectory();
        foreach (var (name, bytes) in _entries) File.WriteAllBytes(Path.Combine(folder.Path, name), bytes);
        using (LoadedModel loaded = ModelLoader.Load(folder.Path, null, Device.Cpu))
            Assert.Equal(32, loaded.Config.EmbeddingSize);
        using OnnxEmbeddingModel onnx = OnnxEmbeddingModel.Open(Path.Combine(folder.Path, "model.onnx"));
        Assert.Equal(32, onnx.Dimension);
    }
}
