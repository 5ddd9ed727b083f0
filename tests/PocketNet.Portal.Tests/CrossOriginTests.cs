using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// A page of another site cannot use the admin's sign-in cookie to change anything: the browser marks such requests
/// (Sec-Fetch-Site, Origin) and the portal refuses them before they reach an endpoint. Scripts with X-Api-Key, and
/// clients that are no browser page at all, are not affected.
/// </summary>
[Collection(IdlePortalCollection.Name)]
public sealed class CrossOriginTests(IdlePortal idle)
{
    public static TheoryData<string, string> CrossOrigin => new()
    {
        { "Origin", "http://localhost:8080" },      // another port of the same host: SameSite=Strict lets the cookie through
        { "Origin", "http://evil.localhost" },      // a sibling subdomain
        { "Sec-Fetch-Site", "same-site" },
        { "Sec-Fetch-Site", "cross-site" },
    };

    [Theory]
    [MemberData(nameof(CrossOrigin))]
    public async Task A_cross_origin_text_post_with_the_admin_cookie_does_not_reach_the_endpoint(string header, string value)
    {
        HttpClient browser = await SignedInAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs/987654/cancel") { Content = new StringContent("x", System.Text.Encoding.UTF8, "text/plain") };
        request.Headers.Add(header, value);
        HttpResponseMessage response = await browser.SendAsync(request);
        // A request that reached the endpoint would say there is no job 987654 (404).
        await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "another site");
    }

    [Fact]
    public async Task A_cross_origin_multipart_upload_with_the_admin_cookie_stores_no_model()
    {
        HttpClient browser = await SignedInAsync();
        int before = (await idle.Admin.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!.Count;

        HttpResponseMessage refused = await browser.SendAsync(Upload("cross-origin", ("Origin", "http://localhost:8080")));
        await Problems.AssertAsync(refused, HttpStatusCode.Forbidden, "another site");
        Assert.Equal(before, (await idle.Admin.GetFromJsonAsync<List<ModelView>>("/api/models", ApiJson.Options))!.Count);

        // The same upload from the portal's own pages goes through.
        HttpResponseMessage accepted = await browser.SendAsync(Upload("same-origin", ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin")));
        ModelView model = await Problems.ReadAsync<ModelView>(accepted, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await idle.Admin.DeleteAsync($"/api/models/{model.Id}")).StatusCode);
    }

    [Fact]
    public async Task Scripts_with_the_api_key_are_not_refused_whatever_origin_they_claim()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs/987654/cancel");
        request.Headers.Add("Origin", "http://evil.example");
        HttpResponseMessage response = await idle.Admin.SendAsync(request);
        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "no job 987654");
    }

    [Fact]
    public async Task A_cross_origin_sign_out_form_is_refused()
    {
        HttpClient browser = await SignedInAsync();
        string page = await PageForms.GetPageAsync(browser, "/");
        var request = new HttpRequestMessage(HttpMethod.Post, "/logout")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", PageForms.Token(page))]),
        };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(request)).StatusCode);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        HttpClient browser = PageForms.Browser(idle.Portal);
        await PageForms.SignInAsync(browser);
        return browser;
    }

    private static HttpRequestMessage Upload(string name, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/models/upload")
        {
            Content = new MultipartFormDataContent
            {
                { new ByteArrayContent(TinyOnnx.FaceModel), "file", $"{name}.onnx" },
                { new StringContent(name), "name" },
            },
        };
        foreach (var (header, value) in headers) request.Headers.Add(header, value);
        return request;
    }
}
