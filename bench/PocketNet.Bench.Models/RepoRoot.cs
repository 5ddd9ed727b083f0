namespace PocketNet.Bench.Models;

/// <summary>The repository root: the folder holding PocketNet.Portal.sln above the binary or the working directory.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find(AppContext.BaseDirectory) ?? Find(Environment.CurrentDirectory)
        ?? throw new InvalidOperationException("run the bench inside the repository (PocketNet.Portal.sln not found above the binary or the working directory)");

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PocketNet.Portal.sln"))) return dir.FullName;
        return null;
    }
}
