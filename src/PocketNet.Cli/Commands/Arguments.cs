using System.Globalization;

namespace PocketNet.Cli.Commands;

/// <summary>
/// The options of one verb: <c>--name value</c> pairs and <c>--flag</c> switches. Every option a verb
/// reads is recorded, so that <see cref="EnsureAllUsed"/> can refuse a misspelt one instead of silently
/// ignoring it.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Arguments(string verb, IReadOnlyList<string> args)
    {
        Verb = verb;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                Positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0) (name, value) = (name[..equals], name[(equals + 1)..]);
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            if (!_options.TryAdd(name, value)) throw new ArgumentException($"{verb}: --{name} is given twice");
        }
    }

    public string Verb { get; }

    public List<string> Positional { get; } = new();

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out string? value)) return false;
        return value is null || value is "true" or "1" or "yes"
            ? true
            : throw new ArgumentException($"{Verb}: --{name} is a switch and takes no value ('{value}')");
    }

    public string? Optional(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out string? value)) return null;
        return value ?? throw new ArgumentException($"{Verb}: --{name} needs a value");
    }

    public string Required(string name, string what) =>
        Optional(name) ?? throw new ArgumentException($"{Verb}: --{name} is required ({what})");

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Number(name, fallback, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), min, max);

    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue) =>
        Number(name, fallback, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), min, max);

    public int? OptionalInt(string name) => Optional(name) is null ? null : Int(name, 0);

    public double? OptionalDouble(string name) => Optional(name) is null ? null : Double(name, 0);

    /// <summary>Comma-separated integers, e.g. --milestones 8,14,20,25.</summary>
    public IReadOnlyList<int>? IntList(string name) =>
        Optional(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
                ? v
                : throw new ArgumentException($"{Verb}: --{name} takes comma-separated integers, not '{s}'"))
            .ToList();

    /// <summary>Refuses options the verb did not read and positional arguments it does not take.</summary>
    public void EnsureAllUsed(int positionalAllowed = 0)
    {
        string? unknown = _options.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null) throw new ArgumentException($"{Verb}: unknown option --{unknown}");
        if (Positional.Count > positionalAllowed)
            throw new ArgumentException($"{Verb}: unexpected argument '{Positional[positionalAllowed]}'");
    }

    private T Number<T>(string name, T fallback, Func<string, T> parse, T min, T max) where T : IComparable<T>
    {
        string? text = Optional(name);
        if (text is null) return fallback;
        T value;
        try
        {
            value = parse(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{Verb}: --{name} must be a number, not '{text}'");
        }
        catch (OverflowException)
        {
            throw new ArgumentException($"{Verb}: --{name} is out of range: '{text}'");
        }
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
            throw new ArgumentException($"{Verb}: --{name} must be between {min} and {max}, not {value}");
        return value;
    }
}
