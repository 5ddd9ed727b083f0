using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PocketNet.Portal.Tests;

/// <summary>
/// Pages as a browser without scripts uses them: a client that keeps cookies and does not follow redirects,
/// the antiforgery token read from a page, forms posted with their handler name, signing in through /login.
/// </summary>
internal static partial class PageForms
{
    public static HttpClient Browser(PortalFactory portal) =>
        portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static async Task<string> GetPageAsync(HttpClient client, string path)
    {
        HttpResponseMessage response = await client.GetAsync(path);
        string html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}\n{html}");
        return html;
    }

    /// <summary>The first antiforgery token of a page (every form of one page carries the same).</summary>
    public static string Token(string html) =>
        TokenPattern().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException("the page has no antiforgery token");

    /// <summary>Posts a page form: <paramref name="handler"/> is its FormName, the token comes from <paramref name="tokenPage"/>.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string handler, string tokenPage, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var all = new List<KeyValuePair<string, string>> { new("_handler", handler), new("__RequestVerificationToken", Token(tokenPage)) };
        all.AddRange(fields);
        return await client.PostAsync(path, new FormUrlEncodedContent(all));
    }

    public static async Task SignInAsync(HttpClient client)
    {
        string login = await GetPageAsync(client, "/login");
        HttpResponseMessage response = await PostAsync(client, "/login", "login", login,
            [new("Input.User", "admin"), new("Input.Password", PortalFactory.AdminPassword)]);
        Assert.True(response.StatusCode == HttpStatusCode.Found, $"sign-in answered {(int)response.StatusCode}");
    }

    /// <summary>The decoded value of an attribute of the element with id <paramref name="id"/>.</summary>
    public static string Attribute(string html, string id, string attribute)
    {
        Match element = Regex.Match(html, $"<[a-z]+[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>");
        Assert.True(element.Success, $"no element #{id}");
        Match value = Regex.Match(element.Value, $"\\b{Regex.Escape(attribute)}=\"([^\"]*)\"");
        Assert.True(value.Success, $"#{id} has no {attribute}");
        return WebUtility.HtmlDecode(value.Groups[1].Value);
    }

    /// <summary>The text inside the element with id <paramref name="id"/> (up to its first closing tag), decoded.</summary>
    public static string Text(string html, string id)
    {
        Match match = Regex.Match(html, $"\\bid=\"{Regex.Escape(id)}\"[^>]*>([^<]*)<");
        Assert.True(match.Success, $"no element #{id}");
        return WebUtility.HtmlDecode(match.Groups[1].Value).Trim();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
