namespace PocketNet.Training.Options;

/// <summary>
/// The spellings one option accepts, in one table that the CLI, the REST API and the forms all parse with: a
/// canonical name per value (what run.json, the API and the pages write) and its aliases. Before this table the CLI
/// and the portal each kept their own switch, and the two accepted different aliases.
/// </summary>
public sealed class OptionNames<T> where T : struct, Enum
{
    private readonly (T Value, string Name, string[] Aliases)[] _entries;

    public OptionNames(string option, params (T Value, string Name, string[] Aliases)[] entries)
    {
        Option = option;
        _entries = entries;
    }

    /// <summary>The option as errors name it ("mode").</summary>
    public string Option { get; }

    /// <summary>Canonical names, in the table's order.</summary>
    public IReadOnlyList<string> Names => _entries.Select(e => e.Name).ToList();

    /// <summary>The value a name or alias stands for (case and surrounding blanks ignored); a clear error otherwise.</summary>
    public T Parse(string text)
    {
        string key = (text ?? "").Trim();
        foreach (var (value, name, aliases) in _entries)
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase) || aliases.Any(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase)))
                return value;
        throw new ArgumentException($"{Option}: '{text}' is not {string.Join(", ", Names.SkipLast(1))} or {Names[^1]}");
    }

    public string NameOf(T value) => _entries.First(e => EqualityComparer<T>.Default.Equals(e.Value, value)).Name;
}
