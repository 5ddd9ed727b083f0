using System.Text.Json;
using PocketNet.Torch;

namespace PocketNet.Models.Tests.Support;

/// <summary>C# side of python/edgeface_reference.py: a PyTorch build of the official EdgeFace wiring.</summary>
public static class EdgeFaceOracle
{
    private const string Script = "edgeface_reference.py";

    public static Dictionary<string, (long Trainable, long Total)> ParameterCounts(params string[] names)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run(Script, ["counts", .. names]));
        return json.RootElement.EnumerateObject().ToDictionary(
            p => p.Name, p => (p.Value.GetProperty("trainable").GetInt64(), p.Value.GetProperty("total").GetInt64()));
    }

    /// <summary>The reference's state_dict: (key, shape) in order.</summary>
    public static List<(string Key, long[] Shape)> StateDictLayout(string name)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run(Script, "shapes", name));
        return json.RootElement.EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToList();
    }

    /// <summary>Loads <paramref name="state"/> into the reference (strict) and returns its eval output for <paramref name="input"/>.</summary>
    public static RawTensors.RawTensor Forward(string name, IEnumerable<KeyValuePair<string, Tensor>> state, Tensor input)
    {
        using var folder = new TempDirectory();
        RawTensors.Write(folder.Path, "weights", state);
        RawTensors.Write(folder.Path, "input", [new("input", input)]);
        PythonRunner.Run(Script, "forward", name, folder.Path);
        return RawTensors.Read(folder.Path, "output")["output"];
    }

    /// <summary>
    /// Has the reference randomise a network from <paramref name="seed"/> and torch.save its state_dict under the
    /// official key names into <paramref name="folder"/>/edgeface.pt, beside its input batch and eval embedding.
    /// </summary>
    public static (string Checkpoint, RawTensors.RawTensor Input, RawTensors.RawTensor Output) SaveCheckpoint(string name, int seed, string folder)
    {
        PythonRunner.Run(Script, "save", name, seed.ToString(), folder);
        return (Path.Combine(folder, "edgeface.pt"), RawTensors.Read(folder, "input")["input"], RawTensors.Read(folder, "output")["output"]);
    }
}
