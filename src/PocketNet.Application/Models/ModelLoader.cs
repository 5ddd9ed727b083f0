using System.Text.Json;
using PocketNet.Models.Registry;
using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Application.Models;

/// <summary>A network with weights, ready to embed faces.</summary>
public sealed record LoadedModel(ModelConfig Config, Module<Tensor, Tensor> Network, string Weights) : IDisposable
{
    public void Dispose() => Network.Dispose();
}

/// <summary>
/// Opens a model by registry name plus a weights file, or by a model folder (a run's model/ or a
/// downloaded zip's contents: config.json + weights.safetensors), or a run folder (its model/). An .onnx file
/// (<see cref="IsOnnxFile"/>) is an external model: it is not loaded here but evaluated through ONNX Runtime.
/// </summary>
public static class ModelLoader
{
    /// <summary>True for an existing file named *.onnx: a model that only ONNX Runtime runs (no registry config, no weights file).</summary>
    public static bool IsOnnxFile(string model) =>
        model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && File.Exists(model);

    public static LoadedModel Load(string nameOrFolder, string? weights, Device device, int? embeddingSize = null)
    {
        if (IsOnnxFile(nameOrFolder))
            throw new ArgumentException($"'{nameOrFolder}' is an ONNX model: evaluate it with `eval --model {nameOrFolder}` (ONNX Runtime), it cannot be loaded into the engine");
        ModelConfig config;
        if (Directory.Exists(nameOrFolder))
        {
            ModelFolder folder = ModelFolder.Of(nameOrFolder);
            config = folder.ReadConfig();
            weights ??= folder.Weights;
        }
        else
        {
            config = ModelRegistry.Resolve(nameOrFolder, embeddingSize);
            if (weights is null) throw new ArgumentException($"'{nameOrFolder}' is a registry name: give its weights with --weights (or pass a model folder)");
        }
        Module<Tensor, Tensor> network = ModelRegistry.Create(config);
        try
        {
            network.To(device);
            WeightFiles.LoadModule(network, weights);
            network.Eval();
            return new LoadedModel(config, network, weights);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Reads a model folder's config.json: a trained model's (with provenance) or a bare ModelConfig.</summary>
    public static ModelConfig ReadConfig(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist: not a model folder", path);
        string json = File.ReadAllText(path);
        try
        {
            return TrainedModelConfig.TryParse(json) is { } trained
                ? trained.Model ?? throw new InvalidDataException($"{path} is not a model configuration: \"model\" is null")
                : JsonSerializer.Deserialize<ModelConfig>(json, EventLog.JsonOptions)!;
        }
        catch (Exception e) when (e is JsonException or NullReferenceException)
        {
            throw new InvalidDataException($"{path} is not a model configuration: {e.Message}", e);
        }
    }
}
