using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Store;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The /login page (a server-rendered form with antiforgery) signs the admin in with a cookie the API accepts.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class LoginTests(IdlePortal idle)
{
    private const string AuthCookie = "pocketnet.auth";

    [Fact]
    public async Task Signing_in_with_the_admin_password_gives_a_cookie_that_authorises_starting_and_cancelling_a_run()
    {
        var (browser, cookies) = Browser();
        HttpResponseMessage signedIn = await SignInAsync(browser, "admin", PortalFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(cookies.GetCookies(browser.BaseAddress!), c => c.Name == AuthCookie);

        JobView job = await Problems.ReadAsync<JobView>(await browser.PostAsJsonAsync("/api/runs", TinyRuns.Steady("signed in", epochs: 1)), HttpStatusCode.Accepted);
        Assert.Equal(HttpStatusCode.Accepted, (await browser.PostAsync($"/api/runs/{job.Id}/cancel", null)).StatusCode);
        JobView ended = await PortalFactory.WaitForJobAsync(browser, job.Id);
        // The run may have finished its single epoch before the cancel arrived; either way it was the cookie that started it.
        Assert.Contains(ended.State, new[] { JobState.Cancelled, JobState.Succeeded });
    }

    [Fact]
    public async Task The_sign_in_cookie_is_http_only_and_same_site_strict()
    {
        var (browser, _) = Browser();
        HttpResponseMessage signedIn = await SignInAsync(browser, "admin", PortalFactory.AdminPassword);
        string cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthCookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/leaderboard", "/leaderboard")]
    [InlineData("models/3", "/models/3")]
    [InlineData("https://evil.example/phish", "/")]
    [InlineData("//evil.example/phish", "/")]
    [InlineData("/\\evil.example/phish", "/")]
    [InlineData("\\evil.example/phish", "/")]
    [InlineData("javascript:alert(1)", "/")]
    public async Task After_signing_in_the_admin_is_sent_back_only_to_a_page_of_the_portal(string returnUrl, string expectedPath)
    {
        var (browser, _) = Browser();
        HttpResponseMessage signedIn = await SignInAsync(browser, "admin", PortalFactory.AdminPassword, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Uri target = new(browser.BaseAddress!, signedIn.Headers.Location!);
        Assert.Equal(browser.BaseAddress!.Authority, target.Authority);
        Assert.Equal(expectedPath, target.AbsolutePath);
    }

    [Fact]
    public async Task A_wrong_password_signs_nobody_in()
    {
        var (browser, cookies) = Browser();
        HttpResponseMessage response = await SignInAsync(browser, "admin", "not-the-password");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong user or password", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(cookies.GetCookies(browser.BaseAddress!), c => c.Name == AuthCookie);

        HttpResponseMessage refused = await browser.PostAsJsonAsync("/api/runs", TinyRuns.Training());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Another_user_name_with_the_admin_password_signs_nobody_in()
    {
        var (browser, cookies) = Browser();
        HttpResponseMessage response = await SignInAsync(browser, "root", PortalFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(cookies.GetCookies(browser.BaseAddress!), c => c.Name == AuthCookie);
    }

    [Fact]
    public async Task A_sign_in_post_without_the_antiforgery_token_is_refused()
    {
        var (browser, cookies) = Browser();
        string page = await browser.GetStringAsync("/login");
        var form = new Dictionary<string, string>
        {
            [Html.NameOf(page, "user")] = "admin",
            [Html.NameOf(page, "password")] = PortalFactory.AdminPassword,
            ["_handler"] = Html.ValueOf(page, "_handler"),
        };
        HttpResponseMessage response = await browser.PostAsync("/login", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(cookies.GetCookies(browser.BaseAddress!), c => c.Name == AuthCookie);
    }

    /// <summary>GET /login, then POST its form back as a browser would: field names and hidden inputs read from the page.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password, string? returnUrl = null)
    {
        string login = returnUrl is null ? "/login" : $"/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        string page = await browser.GetStringAsync(login);
        var form = new Dictionary<string, string>
        {
            [Html.NameOf(page, "user")] = user,
            [Html.NameOf(page, "password")] = password,
            ["_handler"] = Html.ValueOf(page, "_handler"),
            ["__RequestVerificationToken"] = Html.ValueOf(page, "__RequestVerificationToken"),
        };
        return await browser.PostAsync(login, new FormUrlEncodedContent(form));
    }

    // A client of its own, holding its own cookies (antiforgery and sign-in) and showing redirects as they are.
    private (HttpClient Client, CookieContainer Cookies) Browser()
    {
        var cookies = new CookieContainer();
        HttpClient client = idle.Portal.CreateDefaultClient(new CookieHandler(cookies));
        return (client, cookies);
    }
}
