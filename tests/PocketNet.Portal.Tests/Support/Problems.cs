using System.Net;
using System.Net.Http.Json;

namespace PocketNet.Portal.Tests.Support;

/// <summary>An RFC 9457 problem as the API answers errors.</summary>
public sealed record Problem(int? Status, string? Title, string? Detail);

public static class Problems
{
    /// <summary>
    /// Asserts that <paramref name="response"/> is a problem with <paramref name="status"/> whose detail contains each
    /// fragment (case-insensitive), and returns it.
    /// </summary>
    public static async Task<Problem> AssertAsync(HttpResponseMessage response, HttpStatusCode status, params string[] fragments)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Problem problem = System.Text.Json.JsonSerializer.Deserialize<Problem>(body, ApiJson.Options)!;
        Assert.Equal((int)status, problem.Status);
        Assert.DoesNotContain("(Parameter '", problem.Detail ?? "");
        foreach (string fragment in fragments)
            Assert.True(problem.Detail?.Contains(fragment, StringComparison.OrdinalIgnoreCase) == true,
                $"the problem's detail should mention '{fragment}': {problem.Detail}");
        return problem;
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
            Assert.Fail($"expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options))!;
    }
}
