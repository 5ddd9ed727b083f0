using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>Who may call what: every state-changing endpoint refuses strangers with 401 (never a login redirect); reading is open.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class ApiAuthorizationTests(IdlePortal idle)
{
    public static TheoryData<string, string> StateChangingEndpoints => new()
    {
        { "POST", "/api/runs" },
        { "POST", "/api/searches" },
        { "POST", "/api/evaluations" },
        { "POST", "/api/runs/1/cancel" },
        { "POST", "/api/runs/1/resume" },
        { "DELETE", "/api/runs/1" },
        { "POST", "/api/models/upload" },
        { "DELETE", "/api/models/1" },
    };

    [Theory]
    [MemberData(nameof(StateChangingEndpoints))]
    public async Task State_changing_endpoints_answer_401_without_credentials(string method, string path)
    {
        int jobs = await CountJobsAsync();
        HttpResponseMessage response = await idle.Anonymous.SendAsync(ValidRequest(method, path));
        AssertRefused(response);
        Assert.Equal(jobs, await CountJobsAsync());
    }

    [Theory]
    [MemberData(nameof(StateChangingEndpoints))]
    public async Task State_changing_endpoints_answer_401_to_a_wrong_api_key(string method, string path)
    {
        int jobs = await CountJobsAsync();
        HttpRequestMessage request = ValidRequest(method, path);
        request.Headers.Add(ApiKeyAuthenticationHandler.Header, "not-the-key");
        AssertRefused(await idle.Anonymous.SendAsync(request));
        Assert.Equal(jobs, await CountJobsAsync());
    }

    [Fact]
    public async Task The_admin_password_is_no_api_key_when_api_keys_are_configured()
    {
        var request = ValidRequest("POST", "/api/runs");
        request.Headers.Add(ApiKeyAuthenticationHandler.Header, PortalFactory.AdminPassword);
        AssertRefused(await idle.Anonymous.SendAsync(request));
    }

    [Fact]
    public async Task The_configured_api_key_is_accepted()
    {
        // An admin request that gets past authorisation reaches validation: 400, not 401.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(TinyRuns.Training() with { Epochs = 0 }) };
        request.Headers.Add(ApiKeyAuthenticationHandler.Header, PortalFactory.ApiKey);
        await Problems.AssertAsync(await idle.Anonymous.SendAsync(request), HttpStatusCode.BadRequest, "epochs");
    }

    [Theory]
    [InlineData("/api/leaderboard")]
    [InlineData("/api/leaderboard?scope=synthetic&format=csv")]
    [InlineData("/api/models")]
    [InlineData("/api/runs")]
    [InlineData("/api/datasets")]
    [InlineData("/api/architectures")]
    [InlineData("/openapi/v1.json")]
    public async Task Reading_endpoints_need_no_credentials(string path)
    {
        HttpResponseMessage response = await idle.Anonymous.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        string document = await idle.Anonymous.GetStringAsync("/openapi/v1.json");
        foreach (string path in new[] { "/api/runs", "/api/runs/{id}/cancel", "/api/evaluations", "/api/searches", "/api/models/upload", "/api/leaderboard", "/api/models/{id}/zip" })
            Assert.Contains($"\"{path}\"", document);
    }

    private static void AssertRefused(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    // Bodies that an admin would get accepted, so only the missing credentials can explain a refusal.
    private static HttpRequestMessage ValidRequest(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Content = path switch
        {
            "/api/runs" => JsonContent.Create(TinyRuns.Training()),
            "/api/searches" => JsonContent.Create(new { trainingSet = "SynthFaces", device = "cpu" }),
            "/api/evaluations" => JsonContent.Create(new { modelId = 1, benchmarks = new[] { "synth_lfw" } }),
            "/api/models/upload" => Upload(),
            _ => null,
        };
        return request;
    }

    private static MultipartFormDataContent Upload() => new()
    {
        { new ByteArrayContent(TinyOnnx.FaceModel), "file", "face.onnx" },
        { new StringContent("stranger's model"), "name" },
    };

    private async Task<int> CountJobsAsync() =>
        (await idle.Anonymous.GetFromJsonAsync<List<JobView>>("/api/runs", ApiJson.Options))!.Count;
}
