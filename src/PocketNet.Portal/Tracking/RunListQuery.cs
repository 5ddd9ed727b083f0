using PocketNet.Portal.Store;

namespace PocketNet.Portal.Tracking;

/// <summary>What the runs list orders by.</summary>
public enum RunSort
{
    Id,
    Title,
    State,
    Created,
    Finished,
    Loss,
}

/// <summary>
/// A page of the runs list: free text (title and notes), kind, state and tag filters, an order and a page (from 1).
/// Built from the /runs page's query string and from GET /api/runs/search.
/// </summary>
public sealed record RunListQuery
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;

    public string? Text { get; init; }
    public JobKind? Kind { get; init; }
    public JobState? State { get; init; }
    public string? Tag { get; init; }
    public RunSort Sort { get; init; } = RunSort.Id;
    public bool Descending { get; init; } = true;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The query with its page and page size clamped to what the list serves.</summary>
    public RunListQuery Clamped() => this with
    {
        Page = Math.Max(1, Page),
        PageSize = Math.Clamp(PageSize, 1, MaxPageSize),
        Text = string.IsNullOrWhiteSpace(Text) ? null : Text.Trim(),
        Tag = string.IsNullOrWhiteSpace(Tag) ? null : Tag.Trim().ToLowerInvariant(),
    };
}

/// <summary>One page of runs, the total that match, and every tag in use (for the filter's choices).</summary>
public sealed record RunList(IReadOnlyList<JobRecord> Runs, int Total, RunListQuery Query, IReadOnlyList<string> TagsInUse)
{
    public int PageCount => Math.Max(1, (Total + Query.PageSize - 1) / Query.PageSize);
}
