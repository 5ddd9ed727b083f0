using System.Globalization;

namespace PocketNet.Bench;

/// <summary>A bad or unknown command-line option.</summary>
public sealed class OptionException(string message) : Exception(message);

/// <summary>
/// `--name value`, `--name=value` and bare `--flag` options. A benchmark reads what it knows and then
/// calls <see cref="ThrowIfUnread"/>, so a misspelt option fails loudly instead of silently running
/// with defaults.
/// </summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new OptionException($"expected an option (--name), got '{arg}'");
            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, value) = (name[..eq], name[(eq + 1)..]);
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) value = list[++i];
            _values[name] = value;
        }
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out string? value)) return false;
        return value is null || value is "true" or "1" or "yes"
            ? true
            : value is "false" or "0" or "no" ? false : throw new OptionException($"--{name} takes no value (or true/false), got '{value}'");
    }

    public string? String(string name, string? fallback = null)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out string? value)) return fallback;
        return value ?? throw new OptionException($"--{name} needs a value");
    }

    public int Int(string name, int fallback, int min = 1)
    {
        string? text = String(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new OptionException($"--{name} must be an integer >= {min}, got '{text}'");
        return value;
    }

    public int? OptionalInt(string name, int min = 1) => _values.ContainsKey(name) ? Int(name, 0, min) : MarkRead(name);

    private int? MarkRead(string name)
    {
        _read.Add(name);
        return null;
    }

    /// <summary>Comma-separated values, e.g. `--cases block,net`.</summary>
    public IReadOnlyList<string> List(string name, IReadOnlyList<string> fallback)
    {
        string? text = String(name);
        return text is null ? fallback : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public void ThrowIfUnread()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new OptionException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}");
    }
}
