namespace PocketNet.Data.Registry;

/// <summary>Whether a benchmark can be evaluated.</summary>
public enum BenchmarkState
{
    /// <summary>All expected files are present and the data opened and counted.</summary>
    Ready,

    /// <summary>Nothing of it is there (the main path does not exist).</summary>
    Missing,

    /// <summary>The main path exists but some expected files do not.</summary>
    Incomplete,

    /// <summary>The files are there but could not be read (see <see cref="BenchmarkStatus.Error"/>).</summary>
    Unreadable,
}

/// <summary>
/// A benchmark's status as the datasets page shows it: where it resolves, what is missing, what was found
/// (counts) against what is published, and warnings (count mismatches). <see cref="Found"/> is null unless the
/// data was opened.
/// </summary>
public sealed record BenchmarkStatus(
    string Name,
    string DisplayName,
    BenchmarkProtocol Protocol,
    bool IsSynthetic,
    string ResolvedPath,
    BenchmarkState State,
    IReadOnlyList<string> MissingFiles,
    BenchmarkCounts? Found,
    BenchmarkCounts? Published,
    IReadOnlyList<string> Warnings,
    string? Error)
{
    public bool IsReady => State == BenchmarkState.Ready;

    /// <summary>One line for logs and the CLI.</summary>
    public string Summary()
    {
        string label = IsSynthetic ? " [synthetic]" : "";
        string detail = State switch
        {
            BenchmarkState.Ready => Describe(Found),
            BenchmarkState.Missing => $"not found at {ResolvedPath}",
            BenchmarkState.Incomplete => $"missing {string.Join(", ", MissingFiles)}",
            _ => Error ?? "unreadable",
        };
        string warnings = Warnings.Count > 0 ? $" (warning: {string.Join("; ", Warnings)})" : "";
        return $"{Name}{label}: {State.ToString().ToLowerInvariant()}: {detail}{warnings}";
    }

    private static string Describe(BenchmarkCounts? counts)
    {
        if (counts is null) return "files present";
        var parts = new List<string>();
        if (counts.Pairs is int pairs) parts.Add($"{pairs:N0} pairs");
        if (counts.GenuinePairs is int genuine) parts.Add($"{genuine:N0} genuine");
        if (counts.Images is int images) parts.Add($"{images:N0} images");
        if (counts.Templates is int templates) parts.Add($"{templates:N0} templates");
        if (counts.Identities is int identities) parts.Add($"{identities:N0} identities");
        if (counts.Distractors is int distractors) parts.Add($"{distractors:N0} distractors");
        return string.Join(", ", parts);
    }
}
