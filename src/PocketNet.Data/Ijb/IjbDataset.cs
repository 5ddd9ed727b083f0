using PocketNet.Data.Alignment;
using PocketNet.Data.Imaging;
using PocketNet.Data.RecordIO;

namespace PocketNet.Data.Ijb;

/// <summary>
/// An IJB-B / IJB-C style benchmark in its published layout (and SynthFaces' synth_ijb):
/// <code>
/// root/                              e.g. IJB_release/IJBC
///   meta/&lt;name&gt;_face_tid_mid.txt        image template_id media_id
///   meta/&lt;name&gt;_template_pair_label.txt template1 template2 label
///   meta/&lt;name&gt;_name_5pts_score.txt    image x1 y1 ... x5 y5 detector_score
///   loose_crop/&lt;image&gt;                 the loose face crops, NOT aligned
/// </code>
/// (the meta files may also lie directly in root). Faces follow the row order of the template/media file, as
/// the reference pairs rows of its feature matrix with it; each gets its landmark row by image name. As an
/// <see cref="IImageSource"/> it yields each face aligned to the ArcFace template (decode, similarity from the
/// five landmarks, 112 x 112 warp); stream them with <see cref="ImageBatchReader"/>.
/// </summary>
public sealed class IjbDataset : IImageSource
{
    public const string MetaFolderName = "meta";
    public const string ImageFolderName = "loose_crop";

    private readonly IjbFace[] _faces;
    private readonly HashSet<int> _templates;

    private IjbDataset(string root, string name, string metaFolder, IjbFace[] faces, HashSet<int> templates, int mediaCount,
        IjbTemplatePairs pairs, bool isSynthetic)
    {
        Root = root;
        Name = name;
        MetaFolder = metaFolder;
        _faces = faces;
        _templates = templates;
        MediaCount = mediaCount;
        Pairs = pairs;
        IsSynthetic = isSynthetic;
        TemplateIds = faces.Select(f => f.TemplateId).ToArray();
        MediaIds = faces.Select(f => f.MediaId).ToArray();
        DetectorScores = faces.Select(f => f.DetectorScore).ToArray();
    }

    /// <summary>File name of the template/media list of set <paramref name="name"/> (ijbb, ijbc, synth_ijb).</summary>
    public static string TemplateMediaFileName(string name) => $"{name}_face_tid_mid.txt";

    /// <summary>File name of the template pair list of set <paramref name="name"/>.</summary>
    public static string PairFileName(string name) => $"{name}_template_pair_label.txt";

    /// <summary>File name of the landmark list of set <paramref name="name"/>.</summary>
    public static string LandmarkFileName(string name) => $"{name}_name_5pts_score.txt";

    /// <summary>The set's default name: the root folder's name in lower case (IJBC → ijbc).</summary>
    public static string DefaultName(string root) =>
        Path.GetFileName(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)).ToLowerInvariant();

    /// <summary>The folder holding the meta files: root/meta when it exists, else root.</summary>
    public static string FindMetaFolder(string root)
    {
        string meta = Path.Combine(root, MetaFolderName);
        return Directory.Exists(meta) ? meta : root;
    }

    /// <summary>
    /// Reads and validates the metadata of the set in <paramref name="root"/>. <paramref name="name"/> defaults to
    /// <see cref="DefaultName"/>; <paramref name="isSynthetic"/> null means: synthetic when a SYNTHETIC marker
    /// lies in root. Image files are not touched (see <see cref="FindMissingImages"/>).
    /// </summary>
    public static IjbDataset Open(string root, string? name = null, bool? isSynthetic = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"IJB folder {root} does not exist");
        name ??= DefaultName(root);
        string meta = FindMetaFolder(root);
        string tidMidPath = Path.Combine(meta, TemplateMediaFileName(name));
        string landmarkPath = Path.Combine(meta, LandmarkFileName(name));
        string pairPath = Path.Combine(meta, PairFileName(name));
        string imageFolder = Path.Combine(root, ImageFolderName);

        List<IjbTemplateMediaRow> rows = IjbMetadataReader.ReadTemplateMedia(tidMidPath);
        if (rows.Count == 0) throw new InvalidDataException($"{tidMidPath} lists no faces");
        List<IjbLandmarkRow> landmarks = IjbMetadataReader.ReadLandmarks(landmarkPath);
        IjbLandmarkRow[] joined = Join(rows, landmarks, tidMidPath, landmarkPath);

        var faces = new IjbFace[rows.Count];
        var templates = new HashSet<int>();
        var media = new HashSet<int>();
        for (int i = 0; i < faces.Length; i++)
        {
            var row = rows[i];
            faces[i] = new IjbFace(i, row.ImageName, Path.Combine(imageFolder, row.ImageName), row.TemplateId, row.MediaId,
                joined[i].Landmarks, joined[i].DetectorScore);
            templates.Add(row.TemplateId);
            media.Add(row.MediaId);
        }
        IjbTemplatePairs pairs = IjbMetadataReader.ReadTemplatePairs(pairPath, templates.Contains);
        bool synthetic = isSynthetic ?? File.Exists(Path.Combine(root, RecordIoDatasetWriter.SyntheticMarkerFileName));
        return new IjbDataset(root, name, meta, faces, templates, media.Count, pairs, synthetic);
    }

    public string Name { get; }
    public string Root { get; }
    public string MetaFolder { get; }
    public string ImageFolder => Path.Combine(Root, ImageFolderName);
    public bool IsSynthetic { get; }

    /// <summary>Number of faces (images) in the set.</summary>
    public int Count => _faces.Length;

    /// <summary>Side of the aligned crops it yields: 112.</summary>
    public int ImageSize => FaceAlignment.CropSize;

    public IReadOnlyList<IjbFace> Faces => _faces;

    /// <summary>Template id of each face (row order), for template pooling.</summary>
    public int[] TemplateIds { get; }

    /// <summary>Media id of each face (row order).</summary>
    public int[] MediaIds { get; }

    /// <summary>Detector score of each face (row order).</summary>
    public float[] DetectorScores { get; }

    /// <summary>Number of distinct templates.</summary>
    public int TemplateCount => _templates.Count;

    /// <summary>Number of distinct media.</summary>
    public int MediaCount { get; }

    public IjbTemplatePairs Pairs { get; }

    public bool HasTemplate(int templateId) => _templates.Contains(templateId);

    /// <summary>The landmarks as one row-major array [faces x 10] (x1, y1, ..., x5, y5).</summary>
    public float[] LandmarkMatrix()
    {
        var result = new float[_faces.Length * 10];
        for (int i = 0; i < _faces.Length; i++)
            for (int k = 0; k < 5; k++)
            {
                result[i * 10 + 2 * k] = _faces[i].Landmarks[k].X;
                result[i * 10 + 2 * k + 1] = _faces[i].Landmarks[k].Y;
            }
        return result;
    }

    public string Describe(int index) => $"{Name} face {index} ({_faces[index].ImagePath})";

    /// <summary>The loose crop of face <paramref name="index"/>, decoded to RGB.</summary>
    public Image LoadImage(int index)
    {
        IjbFace face = _faces[index];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(face.ImagePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{Describe(index)}: cannot read the image: {e.Message}", e);
        }
        return ImageDecoder.Decode(bytes, Describe(index), expandToRgb: true);
    }

    /// <summary>Face <paramref name="index"/> aligned to the ArcFace template: a 112 x 112 RGB crop.</summary>
    public Image AlignFace(int index) => FaceAlignment.Align(LoadImage(index), _faces[index].Landmarks);

    public void ReadImage(int index, Span<float> destination) => AlignFace(index).WriteModelInput(destination);

    /// <summary>Faces whose image file does not exist (checked in parallel; IJB-C has 469,375).</summary>
    public IReadOnlyList<IjbFace> FindMissingImages(int max = int.MaxValue)
    {
        var missing = new bool[_faces.Length];
        Parallel.For(0, _faces.Length, i => missing[i] = !File.Exists(_faces[i].ImagePath));
        return _faces.Where(f => missing[f.Index]).Take(max).ToArray();
    }

    /// <summary>
    /// Each template/media row's landmark row: by position when both files list the same images in the same
    /// order (the published files do), otherwise by image name.
    /// </summary>
    private static IjbLandmarkRow[] Join(List<IjbTemplateMediaRow> rows, List<IjbLandmarkRow> landmarks, string tidMidPath, string landmarkPath)
    {
        var joined = new IjbLandmarkRow[rows.Count];
        bool aligned = landmarks.Count >= rows.Count;
        for (int i = 0; aligned && i < rows.Count; i++) aligned = rows[i].ImageName == landmarks[i].ImageName;
        if (aligned)
        {
            for (int i = 0; i < rows.Count; i++) joined[i] = landmarks[i];
            return joined;
        }

        var byName = new Dictionary<string, IjbLandmarkRow>(landmarks.Count, StringComparer.Ordinal);
        foreach (var row in landmarks)
            if (!byName.TryAdd(row.ImageName, row))
                throw new InvalidDataException(
                    $"{landmarkPath}:{row.Line}: image {row.ImageName} has a second landmark row (first at line {byName[row.ImageName].Line}); " +
                    "the rows are not in the order of the template/media list, so the image name must be unique");
        for (int i = 0; i < rows.Count; i++)
        {
            if (!byName.TryGetValue(rows[i].ImageName, out joined[i]))
                throw new InvalidDataException(
                    $"{landmarkPath}: no landmark row for image {rows[i].ImageName} (listed at {tidMidPath}:{rows[i].Line})");
        }
        return joined;
    }
}
