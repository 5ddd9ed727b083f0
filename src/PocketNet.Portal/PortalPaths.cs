namespace PocketNet.Portal;

/// <summary>The folders under the portal's home, created at start-up.</summary>
public sealed class PortalPaths
{
    public PortalPaths(string home)
    {
        Home = Path.GetFullPath(home);
        Runs = Path.Combine(Home, "runs");
        Models = Path.Combine(Home, "models");
        Uploads = Path.Combine(Home, "uploads");
        foreach (string folder in new[] { Home, Runs, Models, Uploads }) Directory.CreateDirectory(folder);
    }

    public string Home { get; }

    /// <summary>One folder per training or search job: runs/job-NNNN.</summary>
    public string Runs { get; }

    /// <summary>One folder per registered model: models/NAME (weights.safetensors + config.json, or model.onnx).</summary>
    public string Models { get; }

    /// <summary>Uploads being checked, before they become models.</summary>
    public string Uploads { get; }

    public string RunFolder(int jobId) => Path.Combine(Runs, $"job-{jobId:D4}");

    public string ModelFolder(string name) => Path.Combine(Models, name);

    /// <summary>True when <paramref name="path"/> lies inside the home folder (the only place the portal deletes in).</summary>
    public bool Contains(string path)
    {
        string full = Path.GetFullPath(path);
        return full.StartsWith(Home + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
