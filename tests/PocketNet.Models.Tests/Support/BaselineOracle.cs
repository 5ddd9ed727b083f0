using System.Text.Json;
using PocketNet.Torch;

namespace PocketNet.Models.Tests.Support;

/// <summary>C# side of python/baselines_reference.py: the PyTorch builds of MobileFaceNet and iResNet.</summary>
public static class BaselineOracle
{
    private const string Script = "baselines_reference.py";

    /// <summary>(trainable, total) parameter counts by spec ("iresnet50:128"), built by PyTorch in one run.</summary>
    public static Dictionary<string, (long Trainable, long Total)> ParameterCounts(params string[] specs)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run(Script, ["counts", .. specs]));
        return json.RootElement.EnumerateObject().ToDictionary(
            p => p.Name, p => (p.Value.GetProperty("trainable").GetInt64(), p.Value.GetProperty("total").GetInt64()));
    }

    /// <summary>PyTorch's state_dict of the network: (key, shape, dtype) in order.</summary>
    public static List<(string Key, long[] Shape, string DType)> StateDictLayout(string name, int embeddingSize)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run(Script, "shapes", name, embeddingSize.ToString()));
        return json.RootElement.EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray(), e[2].GetString()!))
            .ToList();
    }

    /// <summary>
    /// Loads <paramref name="state"/> into the PyTorch network (strict), runs <paramref name="input"/> in
    /// eval mode and returns its output.
    /// </summary>
    public static RawTensors.RawTensor Forward(string name, int embeddingSize, IEnumerable<KeyValuePair<string, Tensor>> state, Tensor input)
    {
        using var folder = new TempDirectory();
        RawTensors.Write(folder.Path, "weights", state);
        RawTensors.Write(folder.Path, "input", [new("input", input)]);
        PythonRunner.Run(Script, "forward", name, embeddingSize.ToString(), folder.Path);
        return RawTensors.Read(folder.Path, "output")["output"];
    }

    /// <summary>
    /// Has PyTorch build the network with seeded random weights and statistics, torch.save its state_dict to
    /// <paramref name="folder"/>/model.pth, and embed <paramref name="input"/> in eval mode; returns that output.
    /// </summary>
    public static RawTensors.RawTensor SaveCheckpoint(string name, int embeddingSize, string folder, Tensor input)
    {
        RawTensors.Write(folder, "input", [new("input", input)]);
        PythonRunner.Run(Script, "save", name, embeddingSize.ToString(), folder);
        return RawTensors.Read(folder, "output")["output"];
    }
}
