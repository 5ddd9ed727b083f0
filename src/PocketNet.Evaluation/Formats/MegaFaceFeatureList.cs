using System.Runtime.ExceptionServices;
using System.Text.Json;
using PocketNet.Evaluation.Identification;

namespace PocketNet.Evaluation.Formats;

/// <summary>
/// A devkit template list (devkit/templatelists/*.json, e.g. facescrub_features_list.json or
/// megaface_features_list.json_1000000_1): <c>{"path": [image paths relative to the set's root], "id": [identity
/// of each image] (probe lists only)}</c>. As run_experiment.py does, the feature of image <c>path</c> is the file
/// <c>featureRoot/path + suffix</c> (gen_megaface.py writes <c>&lt;image file name&gt;_&lt;algo&gt;.bin</c>, so the
/// suffix is <c>"_&lt;algo&gt;.bin"</c>), each a <see cref="MegaFaceFeatureFile"/> vector.
/// </summary>
public sealed class MegaFaceFeatureList
{
    private MegaFaceFeatureList(string source, string[] paths, string[]? identities)
    {
        Source = source;
        Paths = paths;
        Identities = identities;
    }

    /// <summary>The list file this came from.</summary>
    public string Source { get; }

    /// <summary>Image paths, relative to the feature root.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>Identity of each image ("id"), or null when the list has none (distractor lists).</summary>
    public IReadOnlyList<string>? Identities { get; }

    public int Count => Paths.Count;

    /// <summary>Reads a list file; errors name it.</summary>
    public static MegaFaceFeatureList Load(string listPath)
    {
        if (!File.Exists(listPath)) throw new FileNotFoundException($"MegaFace list {listPath} does not exist", listPath);
        using var document = Parse(listPath);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("path", out var pathElement) || pathElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"MegaFace list {listPath} has no \"path\" array");
        string[] paths = Strings(pathElement, listPath, "path");
        string[]? identities = null;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"MegaFace list {listPath}: \"id\" is not an array");
            identities = Strings(idElement, listPath, "id");
            if (identities.Length != paths.Length)
                throw new InvalidDataException($"MegaFace list {listPath} has {paths.Length} paths but {identities.Length} ids");
        }
        return new MegaFaceFeatureList(listPath, paths, identities);
    }

    /// <summary>Builds a list in memory (e.g. for tests or lists from another source).</summary>
    public static MegaFaceFeatureList FromPaths(IEnumerable<string> paths, IEnumerable<string>? identities = null)
    {
        var p = paths.ToArray();
        var ids = identities?.ToArray();
        if (ids is not null && ids.Length != p.Length) throw new ArgumentException($"{p.Length} paths but {ids.Length} identities");
        return new MegaFaceFeatureList("(in memory)", p, ids);
    }

    /// <summary>The feature file of image <paramref name="index"/>: featureRoot/path + suffix.</summary>
    public string FeaturePath(int index, string featureRoot, string suffix) => Path.Combine(featureRoot, Paths[index] + suffix);

    /// <summary>Feature files that do not exist (run_experiment.py refuses to run when any is missing).</summary>
    public IReadOnlyList<string> MissingFeatures(string featureRoot, string suffix) =>
        Enumerable.Range(0, Count).Select(i => FeaturePath(i, featureRoot, suffix)).Where(p => !File.Exists(p)).ToArray();

    /// <summary>
    /// Loads all features as probes. Identities come from the list's "id" entries, or else from each path's
    /// folder (FaceScrub paths are "Identity/Identity_123.png").
    /// </summary>
    public MegaFaceProbes LoadProbes(string featureRoot, string suffix)
    {
        if (Count == 0) throw new InvalidDataException($"MegaFace list {Source} is empty");
        int dimension = MegaFaceFeatureFile.ReadVector(FeaturePath(0, featureRoot, suffix)).Length;
        var features = new float[Count * dimension];
        new FolderSource(this, featureRoot, suffix, dimension).Read(0, Count, features);
        var identities = Identities ?? Paths.Select(p => Path.GetDirectoryName(p) is { Length: > 0 } folder
            ? folder
            : throw new InvalidDataException($"MegaFace list {Source}: '{p}' has no identity (no \"id\" list and no folder)")).ToArray();
        return new MegaFaceProbes(features, dimension, identities);
    }

    /// <summary>
    /// The features as a streaming source (for the distractors: only the blocks being scored are in memory). The
    /// feature length is taken from the first file; every file must match it.
    /// </summary>
    public IFeatureSource OpenFeatures(string featureRoot, string suffix)
    {
        if (Count == 0) throw new InvalidDataException($"MegaFace list {Source} is empty");
        int dimension = MegaFaceFeatureFile.ReadVector(FeaturePath(0, featureRoot, suffix)).Length;
        return new FolderSource(this, featureRoot, suffix, dimension);
    }

    private static JsonDocument Parse(string listPath)
    {
        try
        {
            using var stream = File.OpenRead(listPath);
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"MegaFace list {listPath} is not valid JSON: {e.Message}", e);
        }
    }

    private static string[] Strings(JsonElement array, string listPath, string name)
    {
        var values = new string[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            values[i] = item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new InvalidDataException($"MegaFace list {listPath}: \"{name}\"[{i}] is not a string");
            i++;
        }
        return values;
    }

    /// <summary>One feature file per row; a block's files are read in parallel (many small files).</summary>
    private sealed class FolderSource(MegaFaceFeatureList list, string root, string suffix, int dimension) : IFeatureSource
    {
        public int Dimension => dimension;

        public long Count => list.Count;

        public void Read(long start, int count, Span<float> destination)
        {
            if (start < 0 || count < 0 || start + count > Count)
                throw new ArgumentOutOfRangeException(nameof(start), $"features [{start}, {start + count}) of {Count}");
            if (destination.Length < count * dimension)
                throw new ArgumentException($"destination holds {destination.Length} values, {count * dimension} needed");
            var buffer = new float[count * dimension];
            try
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
                    MegaFaceFeatureFile.ReadVector(list.FeaturePath((int)start + i, root, suffix), buffer.AsSpan(i * dimension, dimension)));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            buffer.CopyTo(destination);
        }
    }
}
