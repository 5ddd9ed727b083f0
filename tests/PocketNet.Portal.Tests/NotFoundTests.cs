using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>Ids that do not exist answer 404 with a problem naming the id, for reading and for commands alike.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class NotFoundTests(IdlePortal idle)
{
    [Theory]
    [InlineData("GET", "/api/runs/90001", "job 90001")]
    [InlineData("GET", "/api/runs/90001/events", "job 90001")]
    [InlineData("POST", "/api/runs/90001/cancel", "job 90001")]
    [InlineData("POST", "/api/runs/90001/resume", "job 90001")]
    [InlineData("DELETE", "/api/runs/90001", "job 90001")]
    [InlineData("GET", "/api/models/90001", "model 90001")]
    [InlineData("GET", "/api/models/90001/zip", "model 90001")]
    [InlineData("GET", "/api/models/90001/onnx", "model 90001")]
    [InlineData("DELETE", "/api/models/90001", "model 90001")]
    public async Task Unknown_ids_answer_404_naming_them(string method, string path, string mention) =>
        await Problems.AssertAsync(await idle.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.NotFound, mention);

    [Fact]
    public async Task A_published_reference_row_has_no_zip_and_no_onnx()
    {
        var models = await idle.Anonymous.GetFromJsonAsync<List<PocketNet.Portal.Api.ModelView>>("/api/models", ApiJson.Options);
        int id = models!.Single(m => m.Name == "paper-pocketnet-s-128").Id;
        await Problems.AssertAsync(await idle.Anonymous.GetAsync($"/api/models/{id}/zip"), HttpStatusCode.NotFound, "reference");
        await Problems.AssertAsync(await idle.Anonymous.GetAsync($"/api/models/{id}/onnx"), HttpStatusCode.NotFound, "ONNX");
    }
}
