using PocketNet.Application.Reproducibility;
using PocketNet.Models.Registry;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Application.Models;

/// <summary>
/// A stored model's folder and its layout, in one place: config.json (the network, with the provenance of a trained model),
/// weights.safetensors, model.onnx (the exported graph; the only file of an external ONNX model), results.json,
/// reproducibility.json and training-events.jsonl (the record and event log of the run that trained it). The trainer
/// writes the first two (<see cref="RecognitionTrainer"/>); the portal's model store, the zip and the CLI read them here.
/// </summary>
public sealed record ModelFolder(string Path)
{
    public const string ConfigFile = RecognitionTrainer.ConfigFile;
    public const string WeightsFile = RecognitionTrainer.WeightsFile;
    public const string OnnxFile = "model.onnx";
    public const string ResultsFile = "results.json";
    public const string ReproducibilityFile = ReproducibilityRecord.FileName;
    public const string EventLogFile = ReproducibilityRecord.EventLogCopy;

    /// <summary>The files of a model folder a zip carries (when present), in zip order; an import keeps the same ones.</summary>
    public static IReadOnlyList<string> ArchivedFiles { get; } = [WeightsFile, ConfigFile, OnnxFile, ReproducibilityFile, EventLogFile];

    public string Config => File(ConfigFile);
    public string Weights => File(WeightsFile);
    public string Onnx => File(OnnxFile);
    public string Results => File(ResultsFile);
    public string Reproducibility => File(ReproducibilityFile);
    public string EventLog => File(EventLogFile);

    /// <summary>A model folder, or a run folder's model/ (what `train` and `search` write).</summary>
    public static ModelFolder Of(string modelOrRunFolder) =>
        System.IO.File.Exists(System.IO.Path.Combine(modelOrRunFolder, ConfigFile)) || !Directory.Exists(System.IO.Path.Combine(modelOrRunFolder, RunDirectory.ModelFolder))
            ? new ModelFolder(modelOrRunFolder)
            : new ModelFolder(System.IO.Path.Combine(modelOrRunFolder, RunDirectory.ModelFolder));

    /// <summary>True for a folder that holds only an ONNX graph (an external model: no config, no weights).</summary>
    public bool IsOnnxOnly => !System.IO.File.Exists(Config) && System.IO.File.Exists(Onnx);

    /// <summary>The network config.json describes (a trained model's or a bare ModelConfig); errors name the file.</summary>
    public ModelConfig ReadConfig() => ModelLoader.ReadConfig(Config);

    /// <summary>The path of one of the folder's files by name (one of the constants above).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public override string ToString() => Path;
}
