using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PocketNet.Portal.Tracking;

/// <summary>One setting that differs between compared runs: its dotted path and each run's value (null where a run lacks it).</summary>
public sealed record DifferingSetting(string Path, IReadOnlyList<string?> Values);

/// <summary>
/// The settings that differ between runs, from each run's configuration as named JSON sections (its request and the
/// options it resolved): objects flatten to dotted paths under the section's name, arrays compare whole, so
/// "options.milestones" differs as one value (a list of strings shows one per line). What every run shares is left out, as a comparison should.
/// </summary>
public static class ConfigurationDiff
{
    public static IReadOnlyList<DifferingSetting> Of(IReadOnlyList<IReadOnlyList<(string Section, string? Json)>> configurationsPerRun)
    {
        var flattened = configurationsPerRun.Select(Flatten).ToList();
        var paths = flattened.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal);
        var rows = new List<DifferingSetting>();
        foreach (string path in paths)
        {
            var values = flattened.Select(f => f.GetValueOrDefault(path)).ToList();
            if (values.Distinct().Count() > 1) rows.Add(new DifferingSetting(path, values));
        }
        return rows;
    }

    /// <summary>Every leaf of the run's JSON sections as "section.path", unreadable sections skipped.</summary>
    public static Dictionary<string, string?> Flatten(IReadOnlyList<(string Section, string? Json)> sections)
    {
        var leaves = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (section, json) in sections)
        {
            if (string.IsNullOrWhiteSpace(json)) continue;
            try
            {
                using JsonDocument document = JsonDocument.Parse(json);
                Walk(document.RootElement, section, leaves);
            }
            catch (JsonException)
            {
                // A configuration that no longer parses compares as absent rather than failing the page.
            }
        }
        return leaves;
    }

    private static void Walk(JsonElement element, string path, Dictionary<string, string?> leaves)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in element.EnumerateObject())
                Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", leaves);
            return;
        }
        leaves[path] = element.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetDouble().ToString("G", CultureInfo.InvariantCulture),
            // A list of sentences (a run's deviations from its recipe) reads best one per line; other arrays as compact JSON.
            JsonValueKind.Array when element.GetArrayLength() > 0 && element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                string.Join("\n", element.EnumerateArray().Select(e => e.GetString())),
            _ => JsonSerializer.Serialize(element, Compact),
        };
    }

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
