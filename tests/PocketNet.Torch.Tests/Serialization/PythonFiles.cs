using PocketNet.Torch.Tests.Support;

namespace PocketNet.Torch.Tests.Serialization;

/// <summary>
/// Files written once per test run by the python/ scripts (each script runs at most once, on first
/// use), in a folder removed when the test process exits.
/// </summary>
internal static class PythonFiles
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"pn-serialization-python-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(path, recursive: true); }
            catch (IOException) { }
        };
        return path;
    });

    private static readonly Lazy<string> Pth = new(() =>
    {
        string path = Path.Combine(Folder.Value, "model.pth");
        PythonRunner.Run("write_pth.py", path);
        return path;
    });

    private static readonly Lazy<string> SafeTensorsFile = new(() =>
    {
        string path = Path.Combine(Folder.Value, "by_hand.safetensors");
        PythonRunner.Run("write_safetensors.py", path);
        return path;
    });

    private static readonly Lazy<string> Pickles = new(() =>
    {
        string path = Path.Combine(Folder.Value, "pickles");
        Directory.CreateDirectory(path);
        PythonRunner.Run("write_pickles.py", path);
        return path;
    });

    /// <summary>torch.save(state_dict) of write_pth.py; its reference values are in <c>ModelPth + ".json"</c>.</summary>
    public static string ModelPth => Pth.Value;

    /// <summary>The same state_dict inside {"epoch", "lr", "state_dict"}.</summary>
    public static string TrainingCheckpointPth => Path.Combine(Folder.Value, $"{Path.GetFileNameWithoutExtension(Pth.Value)}.ckpt.pth");

    /// <summary>The same state_dict in the legacy non-zip format.</summary>
    public static string LegacyPth => Path.Combine(Folder.Value, $"{Path.GetFileNameWithoutExtension(Pth.Value)}.legacy.pth");

    /// <summary>The hand-written safetensors file; reference values in <c>+ ".json"</c>.</summary>
    public static string HandWrittenSafeTensors => SafeTensorsFile.Value;

    /// <summary>A file written by write_pickles.py.</summary>
    public static string Pickle(string name) => Path.Combine(Pickles.Value, name);
}
