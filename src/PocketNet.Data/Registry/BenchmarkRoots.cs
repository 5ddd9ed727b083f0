namespace PocketNet.Data.Registry;

/// <summary>
/// Where relative benchmark paths point. Real benchmarks resolve against <see cref="DataRoot"/>: the
/// <c>--data-root</c> option, else <c>$POCKETNET_DATA</c>, else the repository's data/ folder. Synthetic ones
/// resolve against <see cref="SynthRoot"/>: <c>--synth-root</c>, else <c>$POCKETNET_SYNTH_DATA</c>, else
/// data/synth (what run.sh and <c>pocketnet synth</c> generate; git-ignored).
/// </summary>
public sealed record BenchmarkRoots(string DataRoot, string SynthRoot)
{
    public const string DataRootVariable = "POCKETNET_DATA";
    public const string SynthRootVariable = "POCKETNET_SYNTH_DATA";
    public const string RegistryFileName = "benchmarks.json";
    public const string SynthFolderName = "synth";

    /// <summary>
    /// The roots from explicit options (<paramref name="dataRoot"/>, <paramref name="synthRoot"/>), else the
    /// environment, else the repository's data folder (found by <see cref="FindRepositoryDataFolder"/>, or
    /// ./data when there is none).
    /// </summary>
    public static BenchmarkRoots Resolve(string? dataRoot = null, string? synthRoot = null)
    {
        string repoData = FindRepositoryDataFolder() ?? System.IO.Path.GetFullPath("data");
        string data = dataRoot ?? NonEmpty(Environment.GetEnvironmentVariable(DataRootVariable)) ?? repoData;
        string synth = synthRoot ?? NonEmpty(Environment.GetEnvironmentVariable(SynthRootVariable)) ?? System.IO.Path.Combine(repoData, SynthFolderName);
        return new BenchmarkRoots(System.IO.Path.GetFullPath(data), System.IO.Path.GetFullPath(synth));
    }

    /// <summary>
    /// The data/ folder holding benchmarks.json, searched upwards from <paramref name="start"/> (default: the
    /// current directory, then the application's base directory); null when not found.
    /// </summary>
    public static string? FindRepositoryDataFolder(string? start = null)
    {
        IEnumerable<string> starts = start is not null ? [start] : [Environment.CurrentDirectory, AppContext.BaseDirectory];
        foreach (string from in starts)
        {
            for (var dir = new DirectoryInfo(System.IO.Path.GetFullPath(from)); dir is not null; dir = dir.Parent)
            {
                string candidate = System.IO.Path.Combine(dir.FullName, "data", RegistryFileName);
                if (File.Exists(candidate)) return System.IO.Path.GetDirectoryName(candidate);
            }
        }
        return null;
    }

    /// <summary>The root an entry's relative paths resolve against.</summary>
    public string RootFor(BenchmarkEntry entry) => entry.IsSynthetic ? SynthRoot : DataRoot;

    /// <summary><paramref name="path"/> of <paramref name="entry"/> made absolute (absolute paths stay).</summary>
    public string Resolve(BenchmarkEntry entry, string path) =>
        System.IO.Path.GetFullPath(path.TrimEnd('/', '\\') is { Length: > 0 } trimmed ? trimmed : ".", RootFor(entry));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
