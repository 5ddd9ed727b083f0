using System.Globalization;
using System.Text.Json;
using PocketNet.Training.Progress;

namespace PocketNet.Training.Runs;

/// <summary>
/// The folder a training run or search lives in:
/// <code>
/// run.json                 what was asked (options, data), written once at the start
/// events.jsonl             progress, checks and messages, one JSON object per line
/// checkpoints/epoch-NNNN/  state after NNNN completed epochs (weights, head, optimisers, position)
/// model/                   the finished model: weights.safetensors + config.json
/// </code>
/// Checkpoints are written to a temporary folder and renamed into place, so a crash never leaves a
/// half-written checkpoint behind and the previous one stays usable.
/// </summary>
public sealed class RunDirectory
{
    public const string OptionsFile = "run.json";
    public const string EventsFile = "events.jsonl";
    public const string CheckpointsFolder = "checkpoints";
    public const string ModelFolder = "model";

    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }
    public string EventsPath => System.IO.Path.Combine(Path, EventsFile);
    public string OptionsPath => System.IO.Path.Combine(Path, OptionsFile);
    public string ModelPath => System.IO.Path.Combine(Path, ModelFolder);
    public string CheckpointsPath => System.IO.Path.Combine(Path, CheckpointsFolder);

    public static string CheckpointName(int completedEpochs) => $"epoch-{completedEpochs.ToString("D4", CultureInfo.InvariantCulture)}";

    public string CheckpointPath(int completedEpochs) => System.IO.Path.Combine(CheckpointsPath, CheckpointName(completedEpochs));

    /// <summary>Creates the folder and records the options, or checks that an existing run asked for the same.</summary>
    public void Initialise<TOptions>(TOptions options)
    {
        Directory.CreateDirectory(Path);
        string json = JsonSerializer.Serialize(options, EventLog.IndentedJsonOptions);
        if (File.Exists(OptionsPath))
        {
            // Compared after a round trip through TOptions: a run written before an option was added reads it
            // at its default, and is the same run when everything it did record agrees.
            string existing = JsonSerializer.Serialize(ReadOptions<TOptions>(), EventLog.IndentedJsonOptions);
            if (!JsonEquivalent(existing, json))
                throw new InvalidOperationException(
                    $"{OptionsPath} records different options; resume it with its own options or choose a new run folder");
            return;
        }
        File.WriteAllText(OptionsPath, json);
    }

    public TOptions ReadOptions<TOptions>()
    {
        if (!File.Exists(OptionsPath)) throw new FileNotFoundException($"{Path} is not a run folder: {OptionsFile} is missing", OptionsPath);
        try
        {
            return JsonSerializer.Deserialize<TOptions>(File.ReadAllText(OptionsPath), EventLog.JsonOptions)
                   ?? throw new InvalidDataException($"{OptionsPath} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{OptionsPath} is not valid run options: {e.Message}", e);
        }
    }

    /// <summary>Completed-epoch counts that have a checkpoint, ascending.</summary>
    public IReadOnlyList<int> Checkpoints()
    {
        if (!Directory.Exists(CheckpointsPath)) return [];
        return Directory.GetDirectories(CheckpointsPath, "epoch-*")
            .Select(d => System.IO.Path.GetFileName(d)!)
            .Where(name => name.Length == 10 && int.TryParse(name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(name => int.Parse(name.AsSpan(6), CultureInfo.InvariantCulture))
            .Order()
            .ToList();
    }

    /// <summary>Writes a checkpoint atomically: <paramref name="write"/> fills a temporary folder that is then renamed.</summary>
    public string WriteCheckpoint(int completedEpochs, Action<string> write)
    {
        Directory.CreateDirectory(CheckpointsPath);
        string final = CheckpointPath(completedEpochs);
        string temporary = final + ".partial";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        write(temporary);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
        return final;
    }

    /// <summary>Writes the finished model folder atomically, as <see cref="WriteCheckpoint"/> does.</summary>
    public string WriteModel(Action<string> write)
    {
        string temporary = ModelPath + ".partial";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        write(temporary);
        if (Directory.Exists(ModelPath)) Directory.Delete(ModelPath, recursive: true);
        Directory.Move(temporary, ModelPath);
        return ModelPath;
    }

    private static bool JsonEquivalent(string a, string b)
    {
        using JsonDocument x = JsonDocument.Parse(a), y = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(x.RootElement, y.RootElement);
    }
}
