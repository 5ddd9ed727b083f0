using System.Globalization;

namespace PocketNet.Bench.Support;

/// <summary>Locations in the repository, found from the binary or the working directory.</summary>
public static class RepoPaths
{
    private const string Marker = "PocketNet.Portal.sln";

    /// <summary>The repository root (the folder holding the solution above the binary or the working directory), else the working directory.</summary>
    public static string Root { get; } = Find(AppContext.BaseDirectory) ?? Find(Environment.CurrentDirectory) ?? Environment.CurrentDirectory;

    /// <summary>Default folder for result files (git-ignored).</summary>
    public static string OutDir => Path.Combine(Root, "bench", "out");

    /// <summary>bench/out/<paramref name="benchmark"/>-yyyyMMdd-HHmmss.json, named by the current UTC time.</summary>
    public static string ResultFile(string benchmark) =>
        Path.Combine(OutDir, $"{benchmark}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json");

    /// <summary>A reference script of bench/python: next to the binary where the project copies it, else in the source tree.</summary>
    public static string PythonScript(string fileName)
    {
        string besideBinary = Path.Combine(AppContext.BaseDirectory, "python", fileName);
        if (File.Exists(besideBinary)) return besideBinary;
        string inTree = Path.Combine(Root, "bench", "python", fileName);
        return File.Exists(inTree) ? inTree : throw new FileNotFoundException($"reference script {fileName} not found", inTree);
    }

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        return null;
    }
}
