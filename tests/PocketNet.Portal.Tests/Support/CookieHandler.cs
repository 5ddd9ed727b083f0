using System.Net;

namespace PocketNet.Portal.Tests.Support;

/// <summary>Keeps cookies across requests (CreateDefaultClient does not follow redirects or keep cookies on its own).</summary>
public sealed class CookieHandler(CookieContainer cookies) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string header = cookies.GetCookieHeader(request.RequestUri!);
        if (header.Length > 0) request.Headers.Add("Cookie", header);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
            foreach (string value in values) cookies.SetCookies(request.RequestUri!, value);
        return response;
    }
}
