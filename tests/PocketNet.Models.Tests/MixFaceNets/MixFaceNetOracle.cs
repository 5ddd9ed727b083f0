using System.Text.Json;
using PocketNet.Torch;

namespace PocketNet.Models.Tests.MixFaceNets;

/// <summary>C# side of python/mixfacenet_reference.py: PyTorch builds of the official MixFaceNet wiring.</summary>
public static class MixFaceNetOracle
{
    private const string Script = "mixfacenet_reference.py";

    public sealed record Counts(long Trainable, long Total, long Flops, long Macs);

    /// <summary>Parameter counts, FLOPs (the official counter's rules) and MACs of each registry name, in one run.</summary>
    public static Dictionary<string, Counts> Measure(params string[] names)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run(Script, ["counts", .. names]));
        return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => new Counts(
            p.Value.GetProperty("trainable").GetInt64(), p.Value.GetProperty("total").GetInt64(),
            p.Value.GetProperty("flops").GetInt64(), p.Value.GetProperty("macs").GetInt64()));
    }

    /// <summary>PyTorch's state_dict: (key, shape, dtype) in order.</summary>
    public static List<(string Key, long[] Shape, string DType)> StateDictLayout(string name)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run(Script, "shapes", name));
        return json.RootElement.EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray(), e[2].GetString()!))
            .ToList();
    }

    /// <summary>Loads <paramref name="state"/> (strict) into the PyTorch build and returns its eval output of <paramref name="input"/>.</summary>
    public static float[] Forward(string name, IEnumerable<KeyValuePair<string, Tensor>> state, Tensor input)
    {
        using var folder = new TempDirectory();
        RawTensors.Write(folder.Path, "weights", state);
        RawTensors.Write(folder.Path, "input", [new("input", input)]);
        PythonRunner.Run(Script, "forward", name, folder.Path);
        return RawTensors.Read(folder.Path, "output")["output"].ToFloats();
    }

    /// <summary>
    /// Has PyTorch build <paramref name="name"/> from <paramref name="seed"/>, save its state_dict with torch.save to
    /// <c>official.pth</c> in <paramref name="folder"/>, and return its eval output of <paramref name="input"/>.
    /// </summary>
    public static float[] SaveCheckpoint(string name, int seed, string folder, Tensor input)
    {
        RawTensors.Write(folder, "input", [new("input", input)]);
        PythonRunner.Run(Script, "checkpoint", name, seed.ToString(), folder);
        return RawTensors.Read(folder, "output")["output"].ToFloats();
    }
}
