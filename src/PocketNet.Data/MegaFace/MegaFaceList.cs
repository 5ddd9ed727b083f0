using System.Text;
using System.Text.Json;

namespace PocketNet.Data.MegaFace;

/// <summary>
/// An image list of MegaFace challenge 1, in either of its published forms: a devkit template list
/// (devkit/templatelists/facescrub_features_list.json, megaface_features_list.json_1000000_1):
/// <c>{"path": [relative image paths], "id": [identity per image] (probe lists only)}</c>; or a plain list as
/// in the InsightFace test pack (facescrub_lst, megaface_lst), one relative path per line. Paths are relative
/// to the image root (facescrub_images/, megaface_images/).
/// </summary>
public sealed class MegaFaceList
{
    public MegaFaceList(string source, IReadOnlyList<string> paths, IReadOnlyList<string>? identities)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (identities is not null && identities.Count != paths.Count)
            throw new ArgumentException($"{source}: {paths.Count} paths but {identities.Count} identities");
        (Source, Paths, Identities) = (source, paths, identities);
    }

    /// <summary>The file the list came from.</summary>
    public string Source { get; }

    public IReadOnlyList<string> Paths { get; }

    /// <summary>The "id" of each image, or null (distractor lists, plain lists).</summary>
    public IReadOnlyList<string>? Identities { get; }

    public int Count => Paths.Count;

    /// <summary>Reads a list: JSON when the file starts with '{', else one path per line.</summary>
    public static MegaFaceList Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"MegaFace list {path} does not exist", path);
        using var stream = File.OpenRead(path);
        int first;
        do first = stream.ReadByte(); while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
        stream.Position = 0;
        return first == '{' ? LoadJson(path, stream) : LoadLines(path, stream);
    }

    /// <summary>
    /// The identity of image <paramref name="index"/>: its "id", else the path's folder (FaceScrub paths are
    /// Identity/Identity_123.png, as gen_megaface.py assumes).
    /// </summary>
    public string IdentityOf(int index)
    {
        if (Identities is not null) return Identities[index];
        string? folder = Path.GetDirectoryName(Paths[index]);
        return string.IsNullOrEmpty(folder)
            ? throw new InvalidDataException($"MegaFace list {Source}: '{Paths[index]}' has no identity (no \"id\" list and no folder)")
            : folder.Replace('\\', '/');
    }

    /// <summary>Writes the devkit JSON form (keys "path" then "id"; indented as the devkit's files are).</summary>
    public static void WriteJson(string path, IReadOnlyList<string> paths, IReadOnlyList<string>? identities = null)
    {
        if (identities is not null && identities.Count != paths.Count)
            throw new ArgumentException($"{paths.Count} paths but {identities.Count} identities");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("path");
        foreach (string p in paths) writer.WriteStringValue(p);
        writer.WriteEndArray();
        if (identities is not null)
        {
            writer.WriteStartArray("id");
            foreach (string id in identities) writer.WriteStringValue(id);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes the plain form: one path per line ('\n').</summary>
    public static void WriteLines(string path, IEnumerable<string> paths)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, string.Concat(paths.Select(p => p + "\n")), new UTF8Encoding(false));
    }

    private static MegaFaceList LoadJson(string path, Stream stream)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"MegaFace list {path} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("path", out var paths) || paths.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"MegaFace list {path} has no \"path\" array (expected the devkit's {{\"path\": [...], \"id\": [...]}})");
            string[] pathValues = Strings(paths, path, "path");
            string[]? ids = null;
            if (root.TryGetProperty("id", out var idElement))
            {
                if (idElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"MegaFace list {path}: \"id\" is not an array");
                ids = Strings(idElement, path, "id");
                if (ids.Length != pathValues.Length)
                    throw new InvalidDataException($"MegaFace list {path} has {pathValues.Length} paths but {ids.Length} ids");
            }
            return new MegaFaceList(path, pathValues, ids);
        }
    }

    private static MegaFaceList LoadLines(string path, Stream stream)
    {
        var paths = new List<string>();
        using var reader = new StreamReader(stream);
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            text = text.Trim();
            if (text.Length == 0) continue;
            if (text.Contains('\t') || text.Contains(' '))
                throw new InvalidDataException($"{path}:{line}: expected one relative image path per line, found '{text}'");
            paths.Add(text);
        }
        return new MegaFaceList(path, paths, null);
    }

    private static string[] Strings(JsonElement array, string path, string name)
    {
        var values = new string[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            values[i] = item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new InvalidDataException($"MegaFace list {path}: \"{name}\"[{i}] is not a string");
            i++;
        }
        return values;
    }
}
