using System.Globalization;
using System.Numerics;

namespace PocketNet.Data.Ijb;

/// <summary>A row of <c>&lt;name&gt;_face_tid_mid.txt</c>: image name, template id, media id (and its line number).</summary>
public readonly record struct IjbTemplateMediaRow(string ImageName, int TemplateId, int MediaId, int Line);

/// <summary>A row of <c>&lt;name&gt;_name_5pts_score.txt</c>: image name, five landmarks, detector score (and its line number).</summary>
public readonly record struct IjbLandmarkRow(string ImageName, Vector2[] Landmarks, float DetectorScore, int Line);

/// <summary>
/// Readers of the IJB-B/C metadata text files (whitespace-separated columns, one item per line, blank lines
/// skipped, as the reference reads them with pandas / str.split). Parsing is span-based because IJB-C's pair
/// list has 15.7 million lines. Every error names the file and the 1-based line.
/// </summary>
public static class IjbMetadataReader
{
    /// <summary>Reads "image template_id media_id" lines.</summary>
    public static List<IjbTemplateMediaRow> ReadTemplateMedia(string path)
    {
        var rows = new List<IjbTemplateMediaRow>();
        Span<Range> fields = stackalloc Range[4];
        foreach (var (text, line) in Lines(path))
        {
            ReadOnlySpan<char> span = text;
            if (!Split(span, fields, 3)) throw Columns(path, line, 3, "image template_id media_id");
            rows.Add(new IjbTemplateMediaRow(span[fields[0]].ToString(),
                ParseInt(span[fields[1]], path, line, "template id"), ParseInt(span[fields[2]], path, line, "media id"), line));
        }
        return rows;
    }

    /// <summary>
    /// Reads "template1 template2 label" lines (label 0 or 1). When <paramref name="templateExists"/> is given,
    /// a pair naming an unknown template is an error at its line.
    /// </summary>
    public static IjbTemplatePairs ReadTemplatePairs(string path, Func<int, bool>? templateExists = null)
    {
        var t1 = new List<int>();
        var t2 = new List<int>();
        var labels = new List<bool>();
        Span<Range> fields = stackalloc Range[4];
        foreach (var (text, line) in Lines(path))
        {
            ReadOnlySpan<char> span = text;
            if (!Split(span, fields, 3)) throw Columns(path, line, 3, "template1 template2 label");
            int a = ParseInt(span[fields[0]], path, line, "template id"), b = ParseInt(span[fields[1]], path, line, "template id");
            bool genuine = ParseInt(span[fields[2]], path, line, "label") switch
            {
                0 => false,
                1 => true,
                var other => throw new InvalidDataException($"{path}:{line}: label {other} is neither 0 (impostor) nor 1 (genuine)"),
            };
            if (templateExists is not null)
            {
                if (!templateExists(a)) throw new InvalidDataException($"{path}:{line}: template {a} has no faces in the template/media list");
                if (!templateExists(b)) throw new InvalidDataException($"{path}:{line}: template {b} has no faces in the template/media list");
            }
            t1.Add(a);
            t2.Add(b);
            labels.Add(genuine);
        }
        return new IjbTemplatePairs(t1.ToArray(), t2.ToArray(), labels.ToArray());
    }

    /// <summary>Reads "image x1 y1 x2 y2 x3 y3 x4 y4 x5 y5 score" lines.</summary>
    public static List<IjbLandmarkRow> ReadLandmarks(string path)
    {
        var rows = new List<IjbLandmarkRow>();
        Span<Range> fields = stackalloc Range[13];
        foreach (var (text, line) in Lines(path))
        {
            ReadOnlySpan<char> span = text;
            if (!Split(span, fields, 12)) throw Columns(path, line, 12, "image x1 y1 ... x5 y5 score");
            var landmarks = new Vector2[5];
            for (int k = 0; k < 5; k++)
                landmarks[k] = new Vector2(ParseFloat(span[fields[1 + 2 * k]], path, line, $"landmark {k + 1} x"),
                                           ParseFloat(span[fields[2 + 2 * k]], path, line, $"landmark {k + 1} y"));
            rows.Add(new IjbLandmarkRow(span[fields[0]].ToString(), landmarks, ParseFloat(span[fields[11]], path, line, "detector score"), line));
        }
        return rows;
    }

    /// <summary>Writes a landmark line as the IJB files have it (image, ten coordinates, score).</summary>
    public static string FormatLandmarkLine(string imageName, ReadOnlySpan<Vector2> landmarks, float score)
    {
        if (landmarks.Length != 5) throw new ArgumentException($"IJB rows hold 5 landmarks, got {landmarks.Length}", nameof(landmarks));
        var parts = new List<string>(12) { imageName };
        foreach (var p in landmarks)
        {
            parts.Add(p.X.ToString("0.000", CultureInfo.InvariantCulture));
            parts.Add(p.Y.ToString("0.000", CultureInfo.InvariantCulture));
        }
        parts.Add(score.ToString("0.000000", CultureInfo.InvariantCulture));
        return string.Join(' ', parts);
    }

    private static IEnumerable<(string Text, int Line)> Lines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IJB metadata file {path} does not exist", path);
        using var reader = new StreamReader(path, new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (!string.IsNullOrWhiteSpace(text)) yield return (text, line);
        }
    }

    /// <summary>Splits on runs of spaces/tabs; true when there are exactly <paramref name="expected"/> fields.</summary>
    private static bool Split(ReadOnlySpan<char> text, Span<Range> fields, int expected)
    {
        int count = 0, i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length) break;
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (count == fields.Length) return false;
            fields[count++] = new Range(start, i);
        }
        return count == expected;
    }

    private static InvalidDataException Columns(string path, int line, int expected, string layout) =>
        new($"{path}:{line}: expected {expected} whitespace-separated columns ({layout})");

    private static int ParseInt(ReadOnlySpan<char> text, string path, int line, string what) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new InvalidDataException($"{path}:{line}: {what} '{text}' is not an integer");

    private static float ParseFloat(ReadOnlySpan<char> text, string path, int line, string what) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)
            ? value
            : throw new InvalidDataException($"{path}:{line}: {what} '{text}' is not a finite number");
}
