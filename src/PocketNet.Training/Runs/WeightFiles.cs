using PocketNet.Torch;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;
using PocketNet.Torch.Serialization;

namespace PocketNet.Training.Runs;

/// <summary>Reads and writes modules' and optimisers' state as safetensors files (PyTorch .pth accepted for weights).</summary>
public static class WeightFiles
{
    private const string OptimizerMetadataKey = "optimizer";

    public static void SaveModule(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Save(path, module.StateDict(), metadata);

    /// <summary>Loads weights into a module: safetensors, or a torch.save state_dict (.pth/.pt), strictly by key and shape.</summary>
    public static void LoadModule(Module module, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file {path} does not exist", path);
        Device device = module.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
        using TensorDictionary weights = IsPyTorchFile(path) ? TorchCheckpoint.Load(path, device) : SafeTensors.Load(path, device);
        try
        {
            module.LoadStateDict(weights);
        }
        catch (Exception e) when (e is StateDictMismatchException or ArgumentException)
        {
            throw new InvalidDataException($"{path} does not fit the {module.GetType().Name}: {e.Message}", e);
        }
    }

    public static void SaveOptimizer(Optimizer optimizer, string path)
    {
        OptimizerState state = optimizer.StateDict();
        SafeTensors.Save(path, state.Tensors, new Dictionary<string, string> { [OptimizerMetadataKey] = state.Scalars.ToJson() });
    }

    public static void LoadOptimizer(Optimizer optimizer, string path)
    {
        using TensorDictionary tensors = SafeTensors.Load(path, optimizer.Parameters.FirstOrDefault()?.Device);
        if (!tensors.Metadata.TryGetValue(OptimizerMetadataKey, out string? json))
            throw new InvalidDataException($"{path} holds no optimiser state (its metadata lacks '{OptimizerMetadataKey}')");
        optimizer.LoadState(tensors, OptimizerScalars.FromJson(json));
    }

    private static bool IsPyTorchFile(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pth" or ".pt" or ".bin" or ".ckpt";
}
