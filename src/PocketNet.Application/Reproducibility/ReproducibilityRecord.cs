using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using PocketNet.Application.Latency;
using PocketNet.Data.Training;
using PocketNet.Torch;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Application.Reproducibility;

/// <summary>
/// What it takes to reproduce one start of a training run: the software (portal version and commit, libtorch, ONNX
/// Runtime, .NET, OS), the machine (host, CPU, device, processes), the seed, the training data (name, source and a
/// checksum of its index) and the full resolved options. Every start of a run (the first and each resume) appends
/// one to the run folder's reproducibility.json; the finished model's folder, and so its zip, gets a copy together
/// with the run's event log.
/// </summary>
public sealed record ReproducibilityRecord(
    DateTime StartedAt,
    bool Resumed,
    string PortalVersion,
    string Libtorch,
    string OnnxRuntime,
    string DotNet,
    string OperatingSystem,
    string Host,
    string Cpu,
    string Device,
    int Processes,
    int Seed,
    string TrainingData,
    string TrainingDataSource,
    bool SyntheticData,
    string? TrainingDataChecksum,
    JsonElement Options)
{
    public const string FileName = "reproducibility.json";
    public const string EventLogCopy = "training-events.jsonl";

    public static ReproducibilityRecord Capture(TrainingOptions options, ITrainingSet data, bool resumed, int processes) => new(
        DateTime.UtcNow,
        resumed,
        ProgramVersion(),
        Engine.Version,
        OnnxRuntimeVersion(),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        Environment.MachineName,
        HostDescription.CpuName(),
        options.Device,
        processes,
        options.Seed,
        data.Name,
        $"{options.Data.Format}:{options.Data.Path}",
        data.IsSynthetic,
        TrainingDataFingerprint.Of(options.Data),
        JsonSerializer.SerializeToElement(options, EventLog.JsonOptions));

    /// <summary>Appends this start to the run folder's record (a JSON array, oldest first).</summary>
    public void AppendTo(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        JsonArray starts = ReadArray(path);
        starts.Add(JsonSerializer.SerializeToNode(this, EventLog.JsonOptions));
        File.WriteAllText(path, starts.ToJsonString(EventLog.IndentedJsonOptions));
    }

    /// <summary>Every start recorded in <paramref name="folder"/>, oldest first; empty when there is no record (runs older than it).</summary>
    public static IReadOnlyList<ReproducibilityRecord> ReadAll(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<ReproducibilityRecord>>(File.ReadAllText(path), EventLog.JsonOptions) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a reproducibility record: {e.Message}", e);
        }
    }

    /// <summary>Copies the run's record and event log into the finished model's folder (so they travel with it).</summary>
    public static void CopyIntoModel(string runFolder, string modelFolder)
    {
        var model = new Models.ModelFolder(modelFolder);
        string record = Path.Combine(runFolder, FileName);
        if (File.Exists(record)) File.Copy(record, model.Reproducibility, overwrite: true);
        string events = Path.Combine(runFolder, RunDirectory.EventsFile);
        if (File.Exists(events)) File.Copy(events, model.EventLog, overwrite: true);
    }

    private static JsonArray ReadArray(string path)
    {
        if (!File.Exists(path)) return [];
        return JsonNode.Parse(File.ReadAllText(path)) as JsonArray
               ?? throw new InvalidDataException($"{path} is not a reproducibility record (a JSON array of starts)");
    }

    // The program that runs the training (the portal or the CLI) carries the commit; a library does not.
    private static string ProgramVersion() =>
        (Assembly.GetEntryAssembly() ?? typeof(ReproducibilityRecord).Assembly)
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static string OnnxRuntimeVersion() =>
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?
            .InformationalVersion.Split('+')[0] ?? "unknown";
}
