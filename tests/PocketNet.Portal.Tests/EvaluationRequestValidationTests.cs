using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>POST /api/evaluations refuses evaluations that cannot run, naming the field; nothing is queued.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class EvaluationRequestValidationTests(IdlePortal idle) : IAsyncLifetime
{
    private int _published;
    private int _stored;

    public async Task InitializeAsync()
    {
        var models = (await idle.Admin.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!;
        _published = models.Single(m => m.Name == "paper-pocketnet-s-128").Id;
        // A model with files, so checks after the model's own (device) are reached; it is never evaluated.
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        string name = $"evaluation-validation-{Guid.NewGuid():N}";
        var model = new ModelRecord
        {
            Name = name, DisplayName = name, Origin = ModelOrigin.External, Architecture = "ONNX", EmbeddingSize = 32,
            Parameters = 1, Folder = idle.Portal.Paths.ModelFolder(name), CreatedAt = DateTime.UtcNow,
        };
        db.Models.Add(model);
        await db.SaveChangesAsync();
        _stored = model.Id;
    }

    public async Task DisposeAsync()
    {
        await using PortalDbContext db = await idle.Portal.Store.CreateDbContextAsync();
        await db.Models.Where(m => m.Id == _stored).ExecuteDeleteAsync();
    }

    [Fact]
    public Task An_unknown_model_is_refused() =>
        AssertRefusedAsync(new { modelId = 424242, benchmarks = new[] { "synth_lfw" } }, "modelId", "424242");

    [Fact]
    public Task A_published_reference_row_has_no_files_to_evaluate() =>
        AssertRefusedAsync(new { modelId = _published, benchmarks = new[] { "synth_lfw" } }, "modelId", "PocketNetS-128", "no weights");

    [Fact]
    public Task No_benchmark_is_refused() =>
        AssertRefusedAsync(new { modelId = _stored, benchmarks = Array.Empty<string>() }, "benchmarks:");

    [Fact]
    public Task An_unknown_benchmark_is_refused() =>
        AssertRefusedAsync(new { modelId = _stored, benchmarks = new[] { "synth_lfw", "imagenet" } }, "benchmarks:", "imagenet");

    [Fact]
    public Task A_benchmark_whose_files_are_missing_is_refused() =>
        AssertRefusedAsync(new { modelId = _stored, benchmarks = new[] { "megaface" } }, "benchmarks:", "megaface", "missing");

    [Fact]
    public Task An_unknown_runtime_is_refused() =>
        AssertRefusedAsync(new { modelId = _stored, benchmarks = new[] { "synth_lfw" }, runtime = "tensorrt" }, "runtime", "tensorrt");

    [Fact]
    public Task A_bad_device_is_refused() =>
        AssertRefusedAsync(new { modelId = _stored, benchmarks = new[] { "synth_lfw" }, device = "quantum" }, "device:", "quantum");

    [Fact]
    public Task A_missing_model_id_is_refused() =>
        AssertRefusedAsync(new { benchmarks = new[] { "synth_lfw" } }, "modelId");

    private async Task AssertRefusedAsync(object request, params string[] mentions)
    {
        int jobs = (await idle.Admin.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!.Count;
        HttpResponseMessage response = await idle.Admin.PostAsJsonAsync("/api/evaluations", request);
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.Equal(jobs, (await idle.Admin.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!.Count);
    }
}
