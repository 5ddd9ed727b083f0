using System.Net;
using System.Net.Http.Json;
using PocketNet.Models.SearchSpace;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>POST /api/searches: a tiny DARTS search finds a genotype, which a training run then accepts and trains.</summary>
public sealed class SearchJobTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task A_tiny_search_records_its_genotype_and_that_genotype_trains()
    {
        HttpClient admin = _portal.CreateAdminClient();
        JobView search = await Problems.ReadAsync<JobView>(
            await admin.PostAsJsonAsync("/api/searches", new { trainingSet = "SynthFaces", epochs = 1, batchSize = 8, channels = 4, cells = 3, secondOrder = false, device = "cpu" }),
            HttpStatusCode.Accepted);
        Assert.Equal(JobKind.Search, search.Kind);
        Assert.Contains("DARTS search on SynthFaces", search.Title);

        JobView found = await PortalFactory.WaitForJobAsync(admin, search.Id);
        Assert.True(found.State == JobState.Succeeded, $"{found.State}: {found.Error}");
        Assert.NotNull(found.Genotype);
        Genotype genotype = Genotype.Parse(found.Genotype);
        Assert.Equal(4, genotype.Normal.Count);
        Assert.Null(found.ModelId);
        LiveSnapshot events = (await admin.GetFromJsonAsync<LiveSnapshot>($"/api/runs/{search.Id}/events", ApiJson.Options))!;
        Assert.Equal(found.Genotype, events.Genotype);
        Assert.Contains(events.Log, l => l.Text.StartsWith("epoch 1: genotype", StringComparison.Ordinal));

        JobView training = await Problems.ReadAsync<JobView>(
            await admin.PostAsJsonAsync("/api/runs", TinyRuns.Steady("found", epochs: 1) with { Genotype = found.Genotype }), HttpStatusCode.Accepted);
        JobView trained = await PortalFactory.WaitForJobAsync(admin, training.Id);
        Assert.True(trained.State == JobState.Succeeded, $"{trained.State}: {trained.Error}");
        ModelView model = (await admin.GetFromJsonAsync<ModelView>($"/api/models/{trained.ModelId}", ApiJson.Options))!;
        Assert.Equal(genotype, Genotype.Parse(model.Genotype!));
    }
}
