namespace PocketNet.Data.MegaFace;

/// <summary>
/// The refined ("cleaned") MegaFace lists of images known to be mislabelled, as InsightFace publishes them and
/// remove_noises.py reads them: facescrub_noises.txt holds FaceScrub file names (Identity_123.png), one per line;
/// megaface_noises.txt holds distractor paths (a/b/c.jpg), a line being either the path or "index\tpath".
/// Lines starting with '#' are comments. Both files are optional.
/// </summary>
public sealed class MegaFaceNoises
{
    private readonly HashSet<string> _probeFiles;
    private readonly HashSet<string> _distractorPaths;

    private MegaFaceNoises(HashSet<string> probeFiles, HashSet<string> distractorPaths)
    {
        _probeFiles = probeFiles;
        _distractorPaths = distractorPaths;
    }

    public static MegaFaceNoises None { get; } = new([], []);

    public int ProbeNoiseCount => _probeFiles.Count;
    public int DistractorNoiseCount => _distractorPaths.Count;

    /// <summary>Reads the given lists (either may be null or missing-by-choice).</summary>
    public static MegaFaceNoises Load(string? facescrubNoisesPath, string? megafaceNoisesPath)
    {
        var probes = new HashSet<string>(StringComparer.Ordinal);
        var distractors = new HashSet<string>(StringComparer.Ordinal);
        if (facescrubNoisesPath is not null)
            foreach (string line in Lines(facescrubNoisesPath)) probes.Add(line);
        if (megafaceNoisesPath is not null)
            foreach (string line in Lines(megafaceNoisesPath))
            {
                string[] parts = line.Split('\t');
                distractors.Add(parts.Length > 1 ? parts[1].Trim() : line);
            }
        return new MegaFaceNoises(probes, distractors);
    }

    /// <summary>Whether the probe at relative path Identity/file is listed (remove_noises.py matches the file name).</summary>
    public bool IsProbeNoise(string relativePath) => _probeFiles.Count > 0 && _probeFiles.Contains(FileName(relativePath));

    /// <summary>Whether the distractor at relative path a/b/c.jpg is listed (matched on its last three components).</summary>
    public bool IsDistractorNoise(string relativePath)
    {
        if (_distractorPaths.Count == 0) return false;
        string[] parts = relativePath.Replace('\\', '/').Split('/');
        return _distractorPaths.Contains(string.Join('/', parts.TakeLast(3)));
    }

    private static string FileName(string relativePath)
    {
        string normalised = relativePath.Replace('\\', '/');
        return normalised[(normalised.LastIndexOf('/') + 1)..];
    }

    private static IEnumerable<string> Lines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"MegaFace noise list {path} does not exist", path);
        return File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }
}
