using System.Buffers;
using PocketNet.Data.Imaging;
using PocketNet.Data.RecordIO;

namespace PocketNet.Data.MegaFace;

/// <summary>
/// MegaFace challenge 1 in the layout of InsightFace's megaface_testpack (and SynthFaces' synth_megaface):
/// <code>
/// root/
///   facescrub_images/Identity/Identity_123.png       probe images, aligned 112 x 112
///   megaface_images/a/b/c.jpg                        distractor images, aligned 112 x 112
///   facescrub_lst, megaface_lst                      plain lists (one relative path per line)
///   devkit/templatelists/facescrub_features_list.json               devkit probe list (path + id)
///   devkit/templatelists/megaface_features_list.json_1000000_1      devkit distractor list (path)
///   facescrub_noises.txt, megaface_noises.txt        optional refined noise lists
/// </code>
/// The devkit lists win over the plain ones (they define the challenge's 3,530 probes of 80 identities and
/// its 10^6 distractors). Probes and distractors are each an <see cref="IImageSource"/> reading images from
/// disk; features written per image as featureRoot/RelativePath + suffix match the devkit's naming.
/// </summary>
public sealed class MegaFaceDataset
{
    public const string ProbeImageFolder = "facescrub_images";
    public const string DistractorImageFolder = "megaface_images";
    public const string ProbePlainList = "facescrub_lst";
    public const string DistractorPlainList = "megaface_lst";
    public const string ProbeJsonList = "facescrub_features_list.json";
    public const string DistractorJsonPrefix = "megaface_features_list.json_";
    public const string ProbeNoiseList = "facescrub_noises.txt";
    public const string DistractorNoiseList = "megaface_noises.txt";
    public const int ChallengeDistractorCount = 1_000_000;

    /// <summary>Folders (relative to the root) searched for the devkit's template lists.</summary>
    public static IReadOnlyList<string> TemplateListFolders { get; } = ["devkit/templatelists", "templatelists"];

    private MegaFaceDataset(string root, string name, bool isSynthetic, string probeListPath, string distractorListPath,
        MegaFaceProbe[] probes, MegaFaceDistractor[] distractors, int imageSize)
    {
        Root = root;
        Name = name;
        IsSynthetic = isSynthetic;
        ProbeListPath = probeListPath;
        DistractorListPath = distractorListPath;
        Probes = probes;
        Distractors = distractors;
        ProbeIdentityCount = probes.Select(p => p.Identity).Distinct(StringComparer.Ordinal).Count();
        ProbeImages = new Source($"{name} probes", isSynthetic, probes.Select(p => p.ImagePath).ToArray(), imageSize);
        DistractorImages = new Source($"{name} distractors", isSynthetic, distractors.Select(d => d.ImagePath).ToArray(), imageSize);
    }

    public string Root { get; }
    public string Name { get; }
    public bool IsSynthetic { get; }
    public string ProbeListPath { get; }
    public string DistractorListPath { get; }
    public IReadOnlyList<MegaFaceProbe> Probes { get; }
    public IReadOnlyList<MegaFaceDistractor> Distractors { get; }
    public int ProbeIdentityCount { get; }

    /// <summary>The probe images in list order.</summary>
    public IImageSource ProbeImages { get; }

    /// <summary>The distractor images in list order.</summary>
    public IImageSource DistractorImages { get; }

    /// <summary>
    /// Reads the lists of the set in <paramref name="root"/> (see the class summary for the defaults). Image files
    /// are not opened here (see <see cref="FindMissingImages"/>); the lists must not be empty.
    /// </summary>
    public static MegaFaceDataset Open(string root, MegaFaceDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new MegaFaceDatasetOptions();
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"MegaFace folder {root} does not exist");

        string probeListPath = Resolve(root, options.ProbeListPath) ?? FindProbeList(root)
            ?? throw new FileNotFoundException($"{root}: no probe list ({string.Join(" or ", TemplateListFolders.Select(f => $"{f}/{ProbeJsonList}"))}, or {ProbePlainList})");
        string distractorListPath = Resolve(root, options.DistractorListPath) ?? FindDistractorList(root, options.DistractorCount)
            ?? throw new FileNotFoundException($"{root}: no distractor list ({DistractorJsonPrefix}<size>_1 in {string.Join(" or ", TemplateListFolders)}, or {DistractorPlainList})");
        string probeRoot = Resolve(root, options.ProbeImageRoot) ?? Path.Combine(root, ProbeImageFolder);
        string distractorRoot = Resolve(root, options.DistractorImageRoot) ?? Path.Combine(root, DistractorImageFolder);

        MegaFaceNoises noises = MegaFaceNoises.None;
        if (options.UseNoiseLists)
        {
            string? fsNoises = Resolve(root, options.FacescrubNoisesPath) ?? Existing(Path.Combine(root, ProbeNoiseList));
            string? mfNoises = Resolve(root, options.MegafaceNoisesPath) ?? Existing(Path.Combine(root, DistractorNoiseList));
            noises = MegaFaceNoises.Load(fsNoises, mfNoises);
        }

        MegaFaceList probeList = MegaFaceList.Load(probeListPath);
        if (probeList.Count == 0) throw new InvalidDataException($"MegaFace probe list {probeListPath} is empty");
        var probes = new MegaFaceProbe[probeList.Count];
        for (int i = 0; i < probes.Length; i++)
        {
            string relative = probeList.Paths[i];
            probes[i] = new MegaFaceProbe(i, relative, Path.Combine(probeRoot, relative), probeList.IdentityOf(i), noises.IsProbeNoise(relative));
        }

        MegaFaceList distractorList = MegaFaceList.Load(distractorListPath);
        if (distractorList.Count == 0) throw new InvalidDataException($"MegaFace distractor list {distractorListPath} is empty");
        var distractors = new MegaFaceDistractor[distractorList.Count];
        for (int i = 0; i < distractors.Length; i++)
        {
            string relative = distractorList.Paths[i];
            distractors[i] = new MegaFaceDistractor(i, relative, Path.Combine(distractorRoot, relative), noises.IsDistractorNoise(relative));
        }

        bool synthetic = options.IsSynthetic ?? File.Exists(Path.Combine(root, RecordIoDatasetWriter.SyntheticMarkerFileName));
        string name = options.Name ?? Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        return new MegaFaceDataset(root, name, synthetic, probeListPath, distractorListPath, probes, distractors, options.ImageSize);
    }

    /// <summary>The devkit probe list, else the plain one; null when neither exists.</summary>
    public static string? FindProbeList(string root) =>
        TemplateListFolders.Select(f => Path.Combine(root, f, ProbeJsonList)).FirstOrDefault(File.Exists)
        ?? Existing(Path.Combine(root, ProbePlainList));

    /// <summary>
    /// The devkit distractor list of <paramref name="size"/> (default 1,000,000, else the largest present), else
    /// the plain list; null when none exists.
    /// </summary>
    public static string? FindDistractorList(string root, int? size = null)
    {
        foreach (string folder in TemplateListFolders.Select(f => Path.Combine(root, f)).Where(Directory.Exists))
        {
            var lists = Directory.EnumerateFiles(folder, DistractorJsonPrefix + "*_1")
                .Select(p => (Path: p, Size: ListSize(Path.GetFileName(p))))
                .Where(l => l.Size > 0)
                .ToList();
            if (lists.Count == 0) continue;
            if (size is int wanted)
            {
                var match = lists.FirstOrDefault(l => l.Size == wanted);
                if (match.Path is not null) return match.Path;
                continue;
            }
            var challenge = lists.FirstOrDefault(l => l.Size == ChallengeDistractorCount);
            return challenge.Path ?? lists.MaxBy(l => l.Size).Path;
        }
        return size is null ? Existing(Path.Combine(root, DistractorPlainList)) : null;
    }

    /// <summary>The devkit file name of the distractor list of <paramref name="size"/> images (set 1).</summary>
    public static string DistractorJsonName(int size) => $"{DistractorJsonPrefix}{size}_1";

    /// <summary>Probe and distractor images whose file does not exist (checked in parallel), at most <paramref name="max"/>.</summary>
    public IReadOnlyList<string> FindMissingImages(int max = int.MaxValue)
    {
        string[] all = Probes.Select(p => p.ImagePath).Concat(Distractors.Select(d => d.ImagePath)).ToArray();
        var missing = new bool[all.Length];
        Parallel.For(0, all.Length, i => missing[i] = !File.Exists(all[i]));
        return all.Where((_, i) => missing[i]).Take(max).ToArray();
    }

    private static int ListSize(string fileName)
    {
        // megaface_features_list.json_<size>_<set>
        string rest = fileName[DistractorJsonPrefix.Length..];
        int underscore = rest.IndexOf('_');
        return underscore > 0 && int.TryParse(rest[..underscore], out int size) ? size : -1;
    }

    private static string? Resolve(string root, string? path) => path is null ? null : Path.GetFullPath(path, root);

    private static string? Existing(string path) => File.Exists(path) ? path : null;

    /// <summary>Aligned images read from disk; a size other than the expected one is an error (no resizing).</summary>
    private sealed class Source(string name, bool isSynthetic, string[] paths, int imageSize) : IImageSource
    {
        public string Name => name;
        public bool IsSynthetic => isSynthetic;
        public int Count => paths.Length;
        public int ImageSize => imageSize;

        public string Describe(int index) => $"{name} image {index} ({paths[index]})";

        public void ReadImage(int index, Span<float> destination)
        {
            string path = paths[index];
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{Describe(index)}: cannot read the image: {e.Message}", e);
            }
            ImageInfo info = ImageDecoder.Identify(bytes, path);
            if (info.Width != imageSize || info.Height != imageSize)
                throw new InvalidDataException(
                    $"{path}: image is {info.Width}x{info.Height}, expected {imageSize}x{imageSize}: MegaFace images must be pre-aligned crops " +
                    "(as in InsightFace's megaface_testpack)");
            int length = 3 * imageSize * imageSize;
            byte[] pixels = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                ImageDecoder.DecodeInto(bytes, path, pixels.AsSpan(0, length), 3);
                ModelInput.WriteChw(pixels.AsSpan(0, length), imageSize, imageSize, 3, destination);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(pixels);
            }
        }
    }
}
