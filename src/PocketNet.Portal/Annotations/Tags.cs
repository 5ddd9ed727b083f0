using System.Text.RegularExpressions;

namespace PocketNet.Portal.Annotations;

/// <summary>
/// Tags on runs and models: short lowercase words (letters, digits, '-', '_', '.', ':'), at most
/// <see cref="MaxCount"/>, stored sorted and comma-separated so a tag filter is one substring match on ",tag,".
/// </summary>
public static partial class Tags
{
    public const int MaxCount = 12;
    public const int MaxLength = 32;
    public const int MaxStoredLength = 400;

    /// <summary>The stored form of what a user typed (commas or spaces between tags); null when there are none.</summary>
    /// <exception cref="ArgumentException">A tag is too long or holds a character outside the allowed set, or there are too many.</exception>
    public static string? Normalize(string? typed)
    {
        string[] tags = (typed ?? "").Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (string tag in tags)
        {
            if (tag.Length > MaxLength) throw new ArgumentException($"tag '{tag}' is longer than {MaxLength} characters");
            if (!Allowed().IsMatch(tag)) throw new ArgumentException($"tag '{tag}' may hold only letters, digits, '-', '_', '.' and ':'");
        }
        if (tags.Length > MaxCount) throw new ArgumentException($"{tags.Length} tags: at most {MaxCount} are kept");
        return tags.Length == 0 ? null : string.Join(",", tags);
    }

    public static IReadOnlyList<string> Split(string? stored) =>
        stored is null ? [] : stored.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The escape character of <see cref="ContainsPattern"/>, for the LIKE that uses it.</summary>
    public const string LikeEscape = "\\";

    /// <summary>
    /// The pattern a stored tag list matches when it holds <paramref name="tag"/> (for a LIKE on ",Tags," with
    /// <see cref="LikeEscape"/>): '_' is a tag character and a LIKE wildcard, so it is escaped ("lr_sweep" must not
    /// find "lr-sweep").
    /// </summary>
    public static string ContainsPattern(string tag) =>
        "%," + tag.ToLowerInvariant().Replace(LikeEscape, LikeEscape + LikeEscape).Replace("%", LikeEscape + "%").Replace("_", LikeEscape + "_") + ",%";

    [GeneratedRegex("^[a-z0-9_.:-]+$")]
    private static partial Regex Allowed();
}
