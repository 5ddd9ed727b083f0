using System.Net;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>
/// Guessing is slowed (sign-in posts rate-limited per address, wrong API keys locked out), weak configured secrets
/// keep the portal from starting, and signing out needs its form token and ends the session for every copy of the cookie.
/// </summary>
public sealed class SignInHardeningTests
{
    private const string AuthCookie = "pocketnet.auth";

    [Fact]
    public async Task After_five_sign_in_attempts_in_a_minute_even_the_right_password_is_answered_429()
    {
        using var portal = new PortalFactory { Settings = { ["Portal:SignInAttemptsPerMinute"] = "5" } };
        var (browser, cookies) = Browser(portal);
        for (int i = 0; i < 5; i++)
        {
            HttpResponseMessage wrong = await SignInAsync(browser, $"wrong-password-{i}");
            Assert.Contains("Wrong user or password", await wrong.Content.ReadAsStringAsync());
        }
        HttpResponseMessage throttled = await SignInAsync(browser, PortalFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter is not null, "a 429 says when to try again");
        Assert.DoesNotContain(cookies.GetCookies(browser.BaseAddress!), c => c.Name == AuthCookie);
    }

    [Fact]
    public async Task After_ten_wrong_api_keys_the_right_key_is_locked_out_too()
    {
        // a refill slower than any test machine sends eleven requests (at 6 s a loaded machine let the right key through)
        using var portal = new PortalFactory { Settings = { ["Portal:ApiKeyFailuresAllowed"] = "10", ["Portal:ApiKeyRefillSeconds"] = "600" } };
        HttpClient client = portal.CreateClient();
        for (int i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Cancel($"wrong-key-{i:D4}"))).StatusCode);
        // A pause, as a loaded machine makes one: the bucket refills a fraction of a token meanwhile, which is no key.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        HttpResponseMessage locked = await client.SendAsync(Cancel(PortalFactory.ApiKey));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to try again");
    }

    [Theory]
    [InlineData("Portal:AdminPassword", "admin", "Portal:AdminPassword is too weak")]
    [InlineData("Portal:AdminPassword", "aaaaaaaaaaaaaaaa", "Portal:AdminPassword is too weak")]
    [InlineData("Portal:AdminPassword", "MyPassword2026!", "Portal:AdminPassword is too weak")]
    [InlineData("Portal:ApiKeys:0", "key", "Portal:ApiKeys is too weak")]
    public void A_weak_configured_secret_keeps_the_portal_from_starting(string setting, string secret, string message)
    {
        using var portal = new PortalFactory { Settings = { [setting] = secret } };
        Exception refused = Assert.ThrowsAny<Exception>(() => portal.CreateClient());
        Assert.Contains(message, refused.ToString());
    }

    [Fact]
    public void The_strength_rule_accepts_a_generated_style_secret_and_says_what_is_wrong_with_weak_ones()
    {
        Assert.Null(SecretStrength.Weakness("Vx3-9qLr_Tz0aB2mKp7W"));
        Assert.Contains("at least 12", SecretStrength.Weakness("short1!")!);
        Assert.Contains("different", SecretStrength.Weakness("abababababababab")!);
        Assert.Contains("'qwerty'", SecretStrength.Weakness("Qwerty-2026-winter")!);
    }

    [Fact]
    public async Task Signing_out_without_the_form_token_is_refused_and_the_session_goes_on()
    {
        using var portal = new PortalFactory();
        var (browser, _) = Browser(portal);
        await SignInAsync(browser, PortalFactory.AdminPassword);

        HttpResponseMessage forged = await browser.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.SendAsync(Cancel(apiKey: null))).StatusCode);
    }

    [Fact]
    public async Task A_cookie_saved_before_signing_out_no_longer_signs_anyone_in()
    {
        using var portal = new PortalFactory();
        var (browser, cookies) = Browser(portal);
        await SignInAsync(browser, PortalFactory.AdminPassword);
        string saved = cookies.GetCookies(browser.BaseAddress!)[AuthCookie]!.Value;
        Assert.Equal(HttpStatusCode.NotFound, (await WithCookie(portal, saved).SendAsync(Cancel(apiKey: null))).StatusCode);

        string page = await PageForms.GetPageAsync(browser, "/");
        HttpResponseMessage signedOut = await browser.PostAsync("/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", PageForms.Token(page))]));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        // The copy still parses and is within its 12 hours, but its session has ended.
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie(portal, saved).SendAsync(Cancel(apiKey: null))).StatusCode);
        Assert.DoesNotContain("sign out", await WithCookie(portal, saved).GetStringAsync("/"));

        // Signing in again gives a cookie that works.
        var (again, againCookies) = Browser(portal);
        await SignInAsync(again, PortalFactory.AdminPassword);
        Assert.NotEqual(saved, againCookies.GetCookies(again.BaseAddress!)[AuthCookie]!.Value);
        Assert.Equal(HttpStatusCode.NotFound, (await again.SendAsync(Cancel(apiKey: null))).StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_session_stamp_file_is_owner_only()
    {
        using var portal = new PortalFactory();
        var (browser, _) = Browser(portal);
        await SignInAsync(browser, PortalFactory.AdminPassword);
        string stamp = Path.Combine(portal.Home, AdminSessions.StampFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stamp));
    }

    // A cancel of a job that does not exist: 404 shows the request got past authorisation, 401 that it did not.
    private static HttpRequestMessage Cancel(string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs/987654/cancel");
        if (apiKey is not null) request.Headers.Add(ApiKeyAuthenticationHandler.Header, apiKey);
        return request;
    }

    private static HttpClient WithCookie(PortalFactory portal, string value)
    {
        HttpClient client = portal.CreateDefaultClient();
        client.DefaultRequestHeaders.Add("Cookie", $"{AuthCookie}={value}");
        return client;
    }

    private static (HttpClient Client, CookieContainer Cookies) Browser(PortalFactory portal)
    {
        var cookies = new CookieContainer();
        return (portal.CreateDefaultClient(new CookieHandler(cookies)), cookies);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string password)
    {
        string page = await browser.GetStringAsync("/login");
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [Html.NameOf(page, "user")] = "admin",
            [Html.NameOf(page, "password")] = password,
            ["_handler"] = Html.ValueOf(page, "_handler"),
            ["__RequestVerificationToken"] = Html.ValueOf(page, "__RequestVerificationToken"),
        }));
    }
}
