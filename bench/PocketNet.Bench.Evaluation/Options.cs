using System.Globalization;

namespace PocketNet.Bench.Evaluation;

/// <summary>"--name value" options; unknown names are an error.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"unexpected argument '{list[i]}'");
            if (i + 1 >= list.Count) throw new ArgumentException($"option {list[i]} needs a value");
            _values[list[i][2..]] = list[++i];
        }
    }

    public int Int(string name, int fallback) => Get(name, fallback, s => int.Parse(s, CultureInfo.InvariantCulture));

    public long Long(string name, long fallback) => Get(name, fallback, s => long.Parse(s, CultureInfo.InvariantCulture));

    public string? String(string name) => _values.TryGetValue(name, out var v) && _used.Add(name) ? v : null;

    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToArray();
        if (unknown.Length > 0) throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}");
    }

    private T Get<T>(string name, T fallback, Func<string, T> parse)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        _used.Add(name);
        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{name}: '{text}' is not a number");
        }
    }
}
