namespace PocketNet.Bench;

/// <summary>Locations in the repository, found from the binary or the working directory.</summary>
public static class RepoPaths
{
    private const string Marker = "PocketNet.Portal.sln";

    /// <summary>The repository root (the folder holding the solution), else the working directory.</summary>
    public static string Root { get; } = Find(AppContext.BaseDirectory) ?? Find(Environment.CurrentDirectory) ?? Environment.CurrentDirectory;

    /// <summary>Default folder for result files (git-ignored).</summary>
    public static string OutDir => Path.Combine(Root, "bench", "out");

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        return null;
    }
}
