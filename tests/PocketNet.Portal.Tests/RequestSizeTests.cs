using System.Net.Sockets;
using System.Text;

namespace PocketNet.Portal.Tests;

/// <summary>
/// Request bodies are small everywhere but the upload endpoints, and those raise their limit only for the admin:
/// a large anonymous post is answered from its headers alone, before its body is read or spooled anywhere.
/// Kestrel serves these (the in-memory test server has no body limits), over a raw socket that sends the headers
/// of a 100 MB body and then nothing: an answer can only come from a server that never waited for the body.
/// </summary>
public sealed class RequestSizeTests : IDisposable
{
    // The portal's real upload limit (256 MiB), so that the body limit elsewhere is what is tested, not the small
    // limit of the other tests' portals.
    private readonly PortalFactory _portal = new() { Settings = { ["Portal:MaxUploadMegabytes"] = "256" } };
    private readonly Uri _address;

    public RequestSizeTests()
    {
        _portal.UseRealServer();
        _portal.CreateClient().Dispose();
        _address = _portal.ClientOptions.BaseAddress;
    }

    [Theory]
    // Pages check the form's antiforgery token first: the read fails at once on the Content-Length (413), which the
    // check reports as a bad token (400). Either way nothing of the body was read.
    [InlineData("/", "multipart/form-data; boundary=x", "400,413")]
    [InlineData("/login", "application/x-www-form-urlencoded", "400,413")]
    [InlineData("/api/runs", "application/json", "401")]
    [InlineData("/api/models/upload", "multipart/form-data; boundary=x", "401")]
    [InlineData("/api/models/import", "multipart/form-data; boundary=x", "401")]
    public async Task A_large_anonymous_post_is_refused_before_its_body_is_sent(string path, string contentType, string status)
    {
        // 100 MB: under the form reader's own buffering limit (128 MiB), which would answer for a larger body.
        string answer = await PostHeadersOnlyAsync(path, contentType, 100L * 1024 * 1024, apiKey: null);
        Assert.Contains(answer["HTTP/1.1 ".Length..][..3], status.Split(','));
        Assert.Empty(Directory.GetFileSystemEntries(_portal.Paths.Uploads));
    }

    [Fact]
    public async Task The_admin_s_json_requests_are_held_to_the_small_limit_too()
    {
        string answer = await PostHeadersOnlyAsync("/api/runs", "application/json", 100L * 1024 * 1024, PortalFactory.ApiKey);
        Assert.StartsWith("HTTP/1.1 413", answer);
    }

    [Fact]
    public async Task Even_the_admin_posts_no_more_than_the_upload_limit_to_an_upload_endpoint()
    {
        string answer = await PostHeadersOnlyAsync("/api/models/upload", "multipart/form-data; boundary=x", 300L * 1024 * 1024, PortalFactory.ApiKey);
        Assert.StartsWith("HTTP/1.1 413", answer);
    }

    /// <summary>Sends a request's headers declaring <paramref name="length"/> bytes, never the body; returns the status line.</summary>
    private async Task<string> PostHeadersOnlyAsync(string path, string contentType, long length, string? apiKey)
    {
        // The first request of a path renders or compiles what it needs; that time is not what is measured here.
        using (var warm = new HttpClient { BaseAddress = _address }) await warm.GetAsync(path);
        using var client = new TcpClient();
        await client.ConnectAsync(_address.Host, _address.Port);
        NetworkStream stream = client.GetStream();
        string key = apiKey is null ? "" : $"X-Api-Key: {apiKey}\r\n";
        byte[] headers = Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {_address.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: {length}\r\n{key}\r\n");
        await stream.WriteAsync(headers);
        // Kestrel itself ends a read that gets no body once its 5-second grace for slow clients is over (then 400 or
        // 408): an answer from the headers alone comes well before that.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        byte[] buffer = new byte[256];
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"POST {path}: no answer within 4 s while the body was withheld: the server waits to read it");
        }
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    public void Dispose() => _portal.Dispose();
}
