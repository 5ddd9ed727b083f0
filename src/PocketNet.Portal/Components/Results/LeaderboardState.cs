using Microsoft.AspNetCore.Http;
using PocketNet.Portal.Leaderboard;

namespace PocketNet.Portal.Components.Results;

/// <summary>
/// The leaderboard page's query (scope, sort, direction, filter, reference rows) and the links that change one part
/// of it. The page and /api/leaderboard read the same parameters, so export links carry the page's query unchanged.
/// </summary>
public sealed record LeaderboardState(LeaderboardScope Scope, string Sort, bool Descending, string? Filter, bool IncludeReference)
{
    /// <summary>The direction a column sorts in when first clicked: results best first, everything else ascending.</summary>
    public static bool DescendingByDefault(string key) => !LeaderboardService.FieldSortKeys.Contains(key);

    public LeaderboardQuery Query => new(Scope, Sort, Descending, Filter, IncludeReference, ByRuntime: true);

    public string ScopeName => Scope == LeaderboardScope.Synthetic ? "synthetic" : "real";

    /// <summary>Sorting by <paramref name="key"/>: the same column again flips the direction.</summary>
    public string SortLink(string key) =>
        Link(this with { Sort = key, Descending = key == Sort ? !Descending : DescendingByDefault(key) });

    /// <summary>The other scope keeps the filter; its sort starts afresh, since its benchmark columns differ.</summary>
    public string ScopeLink(LeaderboardScope scope, string defaultSort) =>
        scope == Scope ? Link(this) : Link(this with { Scope = scope, Sort = defaultSort, Descending = DescendingByDefault(defaultSort) });

    public string ExportLink(string format) => "api/leaderboard" + Encode(this, format);

    public static string Link(LeaderboardState state) => "leaderboard" + Encode(state, null);

    private static string Encode(LeaderboardState state, string? format)
    {
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new("scope", state.ScopeName),
            new("sort", state.Sort),
            new("desc", state.Descending ? "true" : "false"),
        };
        if (!string.IsNullOrWhiteSpace(state.Filter)) pairs.Add(new("filter", state.Filter.Trim()));
        if (!state.IncludeReference) pairs.Add(new("reference", "false"));
        if (format is not null) pairs.Add(new("format", format));
        return QueryString.Create(pairs).ToUriComponent();
    }
}
