using System.Net;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>GET /api/leaderboard refuses scopes, sort keys and formats it does not know, naming the parameter.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class LeaderboardQueryValidationTests(IdlePortal idle)
{
    [Theory]
    [InlineData("scope=virtual", "scope", "virtual")]
    [InlineData("sort=beauty", "sort", "beauty")]
    [InlineData("scope=synthetic&sort=lfw", "sort", "lfw", "synthetic")]
    [InlineData("scope=real&sort=synth_lfw", "sort", "synth_lfw", "real")]
    [InlineData("format=xml", "format", "xml")]
    [InlineData("desc=maybe", "desc")]
    public async Task Unknown_query_values_are_refused_naming_the_parameter(string query, params string[] mentions) =>
        await Problems.AssertAsync(await idle.Anonymous.GetAsync($"/api/leaderboard?{query}"), HttpStatusCode.BadRequest, mentions);
}
