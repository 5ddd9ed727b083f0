using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>Static files travel compressed and cached; pages are neither compressed nor made to fetch plotly.js.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class StaticAssetDeliveryTests(IdlePortal idle)
{
    private async Task<HttpResponseMessage> GetAsync(string path, string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        return await idle.Portal.CreateClient().SendAsync(request);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Plotly_travels_compressed_decompresses_to_the_file_and_is_cached_for_a_day(string encoding)
    {
        HttpResponseMessage response = await GetAsync("/lib/plotly/plotly.min.js", encoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        Assert.Equal("public, max-age=86400", response.Headers.CacheControl?.ToString());
        byte[] wire = await response.Content.ReadAsByteArrayAsync();
        using Stream decoder = encoding == "br"
            ? new BrotliStream(new MemoryStream(wire), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        decoder.CopyTo(plain);
        string file = Path.Combine(AppContext.BaseDirectory, "wwwroot", "lib", "plotly", "plotly.min.js");
        Assert.Equal(File.ReadAllBytes(file), plain.ToArray());
        Assert.True(wire.Length < plain.Length / 3, $"{wire.Length} bytes on the wire for {plain.Length}");
    }

    [Fact]
    public async Task The_portals_own_files_are_revalidated_on_every_load()
    {
        HttpResponseMessage css = await GetAsync("/css/portal.css", "br");
        Assert.Equal("no-cache", css.Headers.CacheControl?.ToString());
        Assert.Equal(["br"], css.Content.Headers.ContentEncoding);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/")]
    [InlineData("/leaderboard")]
    public async Task Pages_are_not_compressed_and_do_not_load_plotly_themselves(string path)
    {
        HttpResponseMessage page = await GetAsync(path, "br");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(page.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("lib/plotly", await page.Content.ReadAsStringAsync());
    }
}
