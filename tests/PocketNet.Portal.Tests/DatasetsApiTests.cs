using System.Net.Http.Json;
using System.Text.Json;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>GET /api/datasets: each benchmark's status (the tiny SynthFaces stand-ins ready, the licensed sets missing) and the training sets.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class DatasetsApiTests(IdlePortal idle)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_synthetic_benchmarks_are_ready_and_the_real_ones_missing(bool open)
    {
        JsonElement datasets = await idle.Anonymous.GetFromJsonAsync<JsonElement>($"/api/datasets?open={open.ToString().ToLowerInvariant()}");
        var states = datasets.GetProperty("benchmarks").EnumerateArray()
            .ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("state").ToString());
        Assert.Equal(14, states.Count);
        foreach (var (name, state) in states)
            Assert.True(name.StartsWith("synth_", StringComparison.Ordinal) ? state == "Ready" : state == "Missing", $"{name}: {state}");
    }

    [Fact]
    public async Task SynthFaces_is_offered_as_a_present_synthetic_training_set()
    {
        JsonElement datasets = await idle.Anonymous.GetFromJsonAsync<JsonElement>("/api/datasets");
        JsonElement synth = datasets.GetProperty("trainingSets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "SynthFaces");
        Assert.True(synth.GetProperty("synthetic").GetBoolean());
        Assert.True(synth.GetProperty("present").GetBoolean());
    }
}
