using System.Text.Json;

namespace PocketNet.Training.Progress;

/// <summary>Appends events to a run's events.jsonl and forwards them to an optional observer.</summary>
public sealed class EventLog(string path, IProgress<TrainingEvent>? observer = null) : IProgress<TrainingEvent>, IDisposable
{
    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    private readonly Lock _lock = new();

    /// <summary>snake_case names, compact: one event per line.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The same naming, indented, for files people read (run.json, config.json).</summary>
    public static JsonSerializerOptions IndentedJsonOptions { get; } = new(JsonOptions) { WriteIndented = true };

    public void Report(TrainingEvent value)
    {
        lock (_lock) _writer.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        observer?.Report(value);
    }

    /// <summary>Every event recorded in a run's events.jsonl (a torn last line from a crash is skipped).</summary>
    public static IReadOnlyList<TrainingEvent> Read(string path)
    {
        var events = new List<TrainingEvent>();
        if (!File.Exists(path)) return events;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<TrainingEvent>(line, JsonOptions) is { } e) events.Add(e);
            }
            catch (JsonException) when (reader.EndOfStream)
            {
            }
        }
        return events;
    }

    public void Dispose() => _writer.Dispose();
}
