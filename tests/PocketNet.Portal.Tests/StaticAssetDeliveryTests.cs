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
    public async Task Our_libraries_travel_compressed_decompress_to_the_file_and_are_cached_for_a_day(string encoding)
    {
        const string library = "lib/onnxruntime-web/ort.wasm.min.js";
        HttpResponseMessage response = await GetAsync("/" + library, encoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        Assert.Equal("public, max-age=86400", response.Headers.CacheControl?.ToString());
        byte[] plain = Decode(await response.Content.ReadAsByteArrayAsync(), encoding);
        Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "wwwroot", library)), plain);
    }

    [Fact]
    public async Task The_chart_library_and_the_blazor_script_come_precompressed_from_the_build()
    {
        // Plotly.Blazor's basic bundle (scatter and lines: every chart the portal draws) and blazor.web.js are served
        // from the static web assets manifest, gzipped at build time, with an ETag to revalidate against.
        foreach (string path in new[] { "/_content/Plotly.Blazor/plotly-basic-3.7.0.min.js", "/_framework/blazor.web.js" })
        {
            HttpResponseMessage response = await GetAsync(path, "gzip");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.NotNull(response.Headers.ETag);
            byte[] wire = await response.Content.ReadAsByteArrayAsync();
            byte[] plain = Decode(wire, "gzip");
            Assert.True(wire.Length < plain.Length / 2, $"{path}: {wire.Length} bytes on the wire for {plain.Length}");
            if (path.Contains("plotly")) Assert.InRange(wire.Length, 100_000, 600_000);
        }
    }

    private static byte[] Decode(byte[] wire, string encoding)
    {
        using Stream decoder = encoding == "br"
            ? new BrotliStream(new MemoryStream(wire), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        decoder.CopyTo(plain);
        return plain.ToArray();
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
        string html = await page.Content.ReadAsStringAsync();
        // plotly is fetched by the first chart a page draws (Plotly.Blazor), never by the page itself.
        Assert.DoesNotContain("plotly", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("_framework/blazor.web.js", html);
    }
}
