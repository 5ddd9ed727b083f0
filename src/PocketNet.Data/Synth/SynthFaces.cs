using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using PocketNet.Data.Alignment;
using PocketNet.Data.Ijb;
using PocketNet.Data.Imaging;
using PocketNet.Data.MegaFace;
using PocketNet.Data.Pairs;
using PocketNet.Data.RecordIO;

namespace PocketNet.Data.Synth;

/// <summary>
/// SynthFaces: procedurally rendered, aligned 112 x 112 faces of synthetic identities, written in the real
/// dataset formats so every reader and protocol runs end to end without the licensed data:
/// <code>
/// OutputFolder/
///   train/train.rec, train.idx, SYNTHETIC      RecordIO training set (identities 0 .. N-1)
///   synth_lfw.bin                              LFW-style pairs (10 folds, each half same, half different)
///   synth_cfp_fp.bin                           frontal vs. large-pose pairs
///   synth_agedb_30.bin                         pairs whose second image has drifted in appearance (age-like)
///   synth_ijb/meta/synth_ijb_*.txt, loose_crop/ IJB layout: unaligned loose crops with their landmarks
///   synth_megaface/...                         MegaFace test-pack layout with devkit JSON lists
///   SYNTHETIC, README.txt, synth.json          markers saying the data is synthetic, and the options used
/// </code>
/// Every set uses its own identities (disjoint from training and from each other). Output is byte-identical
/// for identical options: every random choice is drawn from a <see cref="Random"/> seeded from (seed, purpose,
/// identity, image), images are rendered in parallel but written in a fixed order, JPEG quality is fixed, and
/// nothing depends on the clock.
/// </summary>
public static class SynthFaces
{
    public const string TrainFolderName = "train";
    public const string LfwName = "synth_lfw";
    public const string CfpFpName = "synth_cfp_fp";
    public const string AgeDbName = "synth_agedb_30";
    public const string IjbName = "synth_ijb";
    public const string MegaFaceName = "synth_megaface";
    public const string ReadmeFileName = "README.txt";
    public const string ManifestFileName = "synth.json";

    // Identity number ranges of the parts: disjoint by construction.
    private const long LfwBase = 1_000_000_000, CfpBase = 2_000_000_000, AgeDbBase = 3_000_000_000, IjbBase = 4_000_000_000,
        ProbeBase = 5_000_000_000, DistractorBase = 6_000_000_000;

    // Image-key namespaces.
    private const long TrainKey = 11, LfwKey = 12, CfpKey = 13, AgeDbKey = 14, IjbKey = 15, ProbeKey = 16, DistractorKey = 17, SampleKey = 18;

    private const int ChunkSize = 96;

    /// <summary>The pair set names with their file names, in writing order.</summary>
    public static IReadOnlyList<string> PairSetNames { get; } = [LfwName, CfpFpName, AgeDbName];

    /// <summary>
    /// Writes the synthetic data described by <paramref name="options"/> (see the class summary). Files of the
    /// parts being generated are replaced; nothing else in the folder is touched. <paramref name="progress"/>
    /// receives the fraction of images rendered.
    /// </summary>
    public static SynthResult Generate(SynthOptions options, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string root = Path.GetFullPath(options.OutputFolder);
        Directory.CreateDirectory(root);
        var run = new Run(options, root, progress, cancellation);

        var result = new SynthResult { OutputFolder = root, Seed = options.Seed };
        if (options.Parts.HasFlag(SynthParts.Train)) result = run.Train(result);
        if (options.Parts.HasFlag(SynthParts.PairSets)) result = run.PairSets(result);
        if (options.Parts.HasFlag(SynthParts.Ijb)) result = run.Ijb(result);
        if (options.Parts.HasFlag(SynthParts.MegaFace)) result = run.MegaFace(result);
        result = result with { TotalImages = run.Rendered };

        File.WriteAllText(Path.Combine(root, RecordIoDatasetWriter.SyntheticMarkerFileName), MarkerText);
        File.WriteAllText(Path.Combine(root, ReadmeFileName), Readme(options, result), Utf8);
        File.WriteAllText(Path.Combine(root, ManifestFileName), Manifest(options, result), Utf8);
        progress?.Report(1);
        return result;
    }

    /// <summary>
    /// One aligned 112 x 112 face: image <paramref name="image"/> of identity <paramref name="identity"/> under
    /// <paramref name="seed"/> (for previews; the same function renders the datasets).
    /// </summary>
    public static Image RenderSample(int seed, long identity, int image) =>
        Render(new Spec((ulong)seed, identity, SynthVariation.Normal, [SampleKey, identity, image]), out _);

    /// <summary>The number of images <see cref="Generate"/> will render for <paramref name="options"/>.</summary>
    public static int CountImages(SynthOptions options)
    {
        int total = 0;
        if (options.Parts.HasFlag(SynthParts.Train)) total += options.Identities * options.ImagesPerIdentity;
        if (options.Parts.HasFlag(SynthParts.PairSets)) total += 3 * 2 * options.PairCount;
        if (options.Parts.HasFlag(SynthParts.Ijb)) total += IjbLayoutPlan((ulong)options.Seed, options).Faces.Count;
        if (options.Parts.HasFlag(SynthParts.MegaFace)) total += options.MegaFaceProbeIdentities * options.MegaFaceImagesPerProbe + options.MegaFaceDistractors;
        return total;
    }

    private static readonly UTF8Encoding Utf8 = new(false);

    private const string MarkerText = "Generated data (SynthFaces): no real faces; results on it are synthetic.\n";

    // ---- what one image is ----------------------------------------------------------------------

    /// <summary>
    /// One image to render: whose, how varied, under which key (its random stream), optionally aged
    /// (<see cref="DriftVariant"/>), sharing a media's scene (<see cref="SessionKey"/>) and placed loosely on
    /// a larger canvas (<see cref="Loose"/>, for IJB).
    /// </summary>
    internal sealed record Spec(ulong Seed, long Identity, SynthVariation Variation, long[] Key, long? DriftVariant = null,
        long[]? SessionKey = null, bool Loose = false)
    {
        public SynthIdentity ResolveIdentity()
        {
            SynthIdentity identity = SynthIdentity.Create(Seed, Identity);
            return DriftVariant is long variant ? identity.Drift(Seed, Identity, variant) : identity;
        }

        public SynthImageParams ResolveParams()
        {
            SynthScene? scene = SessionKey is null ? null
                : SynthScene.Create(SynthSeed.Random(Seed, [SynthSeed.SessionPurpose, .. SessionKey]), Variation);
            return SynthImageParams.Create(SynthSeed.Random(Seed, [SynthSeed.ImagePurpose, .. Key]), Variation, scene);
        }

        /// <summary>The aligned frame's placement on the canvas and the canvas size.</summary>
        public (SimilarityTransform Placement, int Width, int Height) Canvas()
        {
            if (!Loose) return (SimilarityTransform.Identity, FaceAlignment.CropSize, FaceAlignment.CropSize);
            Random r = SynthSeed.Random(Seed, [SynthSeed.CanvasPurpose, .. Key]);
            int width = r.Next(150, 251), height = r.Next(150, 251);
            float angle = r.Signed(0.35);
            // The rotated 112-square of the aligned crop stays inside the canvas (with a margin), as a detector's
            // loose crop keeps the whole face: the largest scale that fits, and a random smaller one.
            double spread = Math.Abs(Math.Cos(angle)) + Math.Abs(Math.Sin(angle));
            double fit = 0.96 * Math.Min(width, height) / (FaceAlignment.CropSize * spread);
            float scale = r.Range(Math.Min(0.85, fit), fit);
            var rotation = SimilarityTransform.FromScaleRotationTranslation(scale, angle, 0, 0);
            var (cx, cy) = rotation.Apply(56, 56);
            double extent = FaceAlignment.CropSize * scale * spread;
            double slackX = Math.Max(0, (width - extent) / 2 - 1), slackY = Math.Max(0, (height - extent) / 2 - 1);
            double tx = (width - 1) / 2.0 + r.Signed(slackX) - cx, ty = (height - 1) / 2.0 + r.Signed(slackY) - cy;
            return (rotation with { Tx = tx, Ty = ty }, width, height);
        }
    }

    internal static Image Render(Spec spec, out Vector2[] landmarks)
    {
        var (placement, width, height) = spec.Canvas();
        return SynthRenderer.Render(spec.ResolveIdentity(), spec.ResolveParams(), placement, width, height, out landmarks);
    }

    // ---- IJB plan (shared by Generate, CountImages and the tests) -------------------------------

    internal sealed record IjbPlanFace(string ImageName, int TemplateId, int MediaId, Spec Spec, float DetectorScore);

    internal sealed record IjbPlan(List<IjbPlanFace> Faces, List<(int T1, int T2, bool Genuine)> Pairs, int Templates, int Media);

    internal static IjbPlan IjbLayoutPlan(ulong seed, SynthOptions options)
    {
        var faces = new List<IjbPlanFace>();
        var templatesOfSubject = new List<int>[options.IjbSubjects];
        int template = 0, media = 0;
        for (int s = 0; s < options.IjbSubjects; s++)
        {
            templatesOfSubject[s] = [];
            Random layout = SynthSeed.Random(seed, SynthSeed.IjbPurpose, s);
            for (int t = 0; t < options.IjbTemplatesPerSubject; t++)
            {
                template++;
                templatesOfSubject[s].Add(template);
                int mediaCount = layout.Next(1, 4);
                for (int m = 0; m < mediaCount; m++)
                {
                    media++;
                    int images = layout.Next(1, 4);
                    for (int i = 0; i < images; i++)
                    {
                        int index = faces.Count;
                        var spec = new Spec(seed, IjbBase + s, SynthVariation.Unconstrained, [IjbKey, index], SessionKey: [IjbKey, media], Loose: true);
                        Random scoreRandom = SynthSeed.Random(seed, SynthSeed.IjbPurpose, -1, index);
                        faces.Add(new IjbPlanFace($"{index + 1}.jpg", template, media, spec, scoreRandom.Range(0.72, 0.999)));
                    }
                }
            }
        }

        var pairs = new List<(int, int, bool)>();
        foreach (var own in templatesOfSubject)
            for (int a = 0; a < own.Count; a++)
                for (int b = a + 1; b < own.Count; b++) pairs.Add((own[a], own[b], true));

        int perSubject = options.IjbTemplatesPerSubject;
        long possible = (long)template * (template - 1) / 2 - (long)options.IjbSubjects * perSubject * (perSubject - 1) / 2;
        int impostors = (int)Math.Min(options.IjbImpostorPairs, possible);
        Random pick = SynthSeed.Random(seed, SynthSeed.IjbPurpose, -2);
        var chosen = new HashSet<(int, int)>();
        var impostorList = new List<(int, int, bool)>();
        if (impostors == possible)
        {
            for (int a = 1; a <= template; a++)
                for (int b = a + 1; b <= template; b++)
                    if ((a - 1) / perSubject != (b - 1) / perSubject) impostorList.Add((a, b, false));
        }
        else
        {
            while (impostorList.Count < impostors)
            {
                int a = pick.Next(1, template + 1), b = pick.Next(1, template + 1);
                if ((a - 1) / perSubject == (b - 1) / perSubject) continue;
                if (a > b) (a, b) = (b, a);
                if (chosen.Add((a, b))) impostorList.Add((a, b, false));
            }
        }
        pairs.AddRange(impostorList);
        var shuffled = pairs.ToArray();
        pick.Shuffle(shuffled);
        return new IjbPlan(faces, shuffled.ToList(), template, media);
    }

    // ---- pair-set plan ------------------------------------------------------------------------

    internal sealed record PairPlan(Spec First, Spec Second, bool IsSame);

    /// <summary>
    /// The pairs of one set: 10 folds of PairCount / 10 pairs, each fold's first half same-identity pairs and
    /// second half different-identity pairs (LFW's pairs.txt order); fold f draws only on identities k with
    /// k mod 10 = f, so folds are identity-disjoint as LFW's are.
    /// </summary>
    internal static List<PairPlan> PairSetPlan(ulong seed, SynthOptions options, string name)
    {
        (long identityBase, long key) = name switch
        {
            LfwName => (LfwBase, LfwKey),
            CfpFpName => (CfpBase, CfpKey),
            AgeDbName => (AgeDbBase, AgeDbKey),
            _ => throw new ArgumentException($"unknown pair set {name}"),
        };
        int perFold = options.PairCount / 10, half = perFold / 2;
        var plans = new List<PairPlan>(options.PairCount);
        for (int fold = 0; fold < 10; fold++)
        {
            long[] pool = Enumerable.Range(0, options.PairSetIdentities).Where(k => k % 10 == fold).Select(k => identityBase + k).ToArray();
            Random r = SynthSeed.Random(seed, SynthSeed.PairPurpose, key, fold);
            r.Shuffle(pool);
            for (int j = 0; j < perFold; j++)
            {
                int pair = plans.Count;
                bool same = j < half;
                long a = pool[j % pool.Length], b = a;
                if (!same)
                {
                    a = pool[r.Next(pool.Length)];
                    do b = pool[r.Next(pool.Length)]; while (b == a);
                }
                (SynthVariation first, SynthVariation second) = name == CfpFpName
                    ? (SynthVariation.Frontal, SynthVariation.PoseHeavy)
                    : (SynthVariation.Normal, SynthVariation.Normal);
                long? drift = name == AgeDbName ? pair : null;
                plans.Add(new PairPlan(
                    new Spec(seed, a, first, [key, pair, 0]),
                    new Spec(seed, b, second, [key, pair, 1], DriftVariant: drift),
                    same));
            }
        }
        return plans;
    }

    // ---- the generation run ---------------------------------------------------------------------

    private sealed class Run(SynthOptions options, string root, IProgress<double>? progress, CancellationToken cancellation)
    {
        private readonly ulong _seed = (ulong)options.Seed;
        private readonly int _total = Math.Max(1, CountImages(options));
        private readonly int _parallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount;

        public int Rendered { get; private set; }

        public SynthResult Train(SynthResult result)
        {
            string folder = Path.Combine(root, TrainFolderName);
            DeleteFolder(folder);
            var specs = new List<(int Label, Spec Spec)>();
            for (int id = 0; id < options.Identities; id++)
                for (int i = 0; i < options.ImagesPerIdentity; i++)
                    specs.Add((id, new Spec(_seed, id, SynthVariation.Normal, [TrainKey, id, i])));
            using (var writer = RecordIoDatasetWriter.CreateInFolder(folder, markSynthetic: true))
            {
                RenderInOrder(specs, s => Jpeg(s.Spec), (s, bytes) => writer.AddImage(s.Label, bytes));
                writer.Complete();
            }
            return result with { TrainFolder = folder, TrainImages = specs.Count, TrainIdentities = options.Identities };
        }

        public SynthResult PairSets(SynthResult result)
        {
            var paths = new Dictionary<string, string>();
            foreach (string name in PairSetNames)
            {
                string path = Path.Combine(root, name + ".bin");
                List<PairPlan> plan = PairSetPlan(_seed, options, name);
                using var writer = new BinPairSetWriter(path);
                RenderInOrder(plan, p => (Jpeg(p.First), Jpeg(p.Second)), (p, images) => writer.AddPair(images.Item1, images.Item2, p.IsSame), imagesPerItem: 2);
                writer.Complete();
                paths[name] = path;
            }
            return result with { PairSets = paths, PairsPerSet = options.PairCount };
        }

        public SynthResult Ijb(SynthResult result)
        {
            string folder = Path.Combine(root, IjbName);
            DeleteFolder(folder);
            string meta = Path.Combine(folder, IjbDataset.MetaFolderName);
            string images = Path.Combine(folder, IjbDataset.ImageFolderName);
            Directory.CreateDirectory(meta);
            Directory.CreateDirectory(images);
            IjbPlan plan = IjbLayoutPlan(_seed, options);

            var tidMid = new StringBuilder();
            var landmarks = new StringBuilder();
            RenderInOrder(plan.Faces, f =>
            {
                Image image = Render(f.Spec, out Vector2[] points);
                return (Bytes: ImageEncoder.EncodeJpeg(image, options.JpegQuality), Landmarks: points);
            }, (f, rendered) =>
            {
                File.WriteAllBytes(Path.Combine(images, f.ImageName), rendered.Bytes);
                tidMid.Append(CultureInfo.InvariantCulture, $"{f.ImageName} {f.TemplateId} {f.MediaId}\n");
                landmarks.Append(IjbMetadataReader.FormatLandmarkLine(f.ImageName, rendered.Landmarks, f.DetectorScore)).Append('\n');
            });
            File.WriteAllText(Path.Combine(meta, IjbDataset.TemplateMediaFileName(IjbName)), tidMid.ToString(), Utf8);
            File.WriteAllText(Path.Combine(meta, IjbDataset.LandmarkFileName(IjbName)), landmarks.ToString(), Utf8);
            var pairs = new StringBuilder();
            foreach (var (t1, t2, genuine) in plan.Pairs) pairs.Append(CultureInfo.InvariantCulture, $"{t1} {t2} {(genuine ? 1 : 0)}\n");
            File.WriteAllText(Path.Combine(meta, IjbDataset.PairFileName(IjbName)), pairs.ToString(), Utf8);
            File.WriteAllText(Path.Combine(folder, RecordIoDatasetWriter.SyntheticMarkerFileName), MarkerText);
            int genuinePairs = plan.Pairs.Count(p => p.Genuine);
            return result with
            {
                IjbFolder = folder,
                IjbImages = plan.Faces.Count,
                IjbTemplates = plan.Templates,
                IjbMedia = plan.Media,
                IjbGenuinePairs = genuinePairs,
                IjbImpostorPairs = plan.Pairs.Count - genuinePairs,
            };
        }

        public SynthResult MegaFace(SynthResult result)
        {
            string folder = Path.Combine(root, MegaFaceName);
            DeleteFolder(folder);
            string probeRoot = Path.Combine(folder, MegaFaceDataset.ProbeImageFolder);
            string distractorRoot = Path.Combine(folder, MegaFaceDataset.DistractorImageFolder);
            string lists = Path.Combine(folder, MegaFaceDataset.TemplateListFolders[0]);

            var probes = new List<(string Path, string Identity, Spec Spec)>();
            for (int p = 0; p < options.MegaFaceProbeIdentities; p++)
            {
                string name = $"Synth_Person_{p + 1:D3}";
                for (int i = 0; i < options.MegaFaceImagesPerProbe; i++)
                    probes.Add(($"{name}/{name}_{i + 1}.png", name, new Spec(_seed, ProbeBase + p, SynthVariation.Normal, [ProbeKey, p, i])));
            }
            // FaceScrub probes are PNG in the devkit lists; MegaFace distractors are Flickr JPEGs in a/b/c.jpg folders.
            RenderInOrder(probes, p => ImageEncoder.EncodePng(Render(p.Spec, out _)), (p, bytes) => WriteFile(probeRoot, p.Path, bytes));

            var distractors = new List<(string Path, Spec Spec)>();
            for (int d = 0; d < options.MegaFaceDistractors; d++)
                distractors.Add(($"{d / 100:D3}/synth{d:D6}@N00/{10_000_000 + d}_0.jpg", new Spec(_seed, DistractorBase + d, SynthVariation.Normal, [DistractorKey, d])));
            RenderInOrder(distractors, d => Jpeg(d.Spec), (d, bytes) => WriteFile(distractorRoot, d.Path, bytes));

            MegaFaceList.WriteJson(Path.Combine(lists, MegaFaceDataset.ProbeJsonList), probes.Select(p => p.Path).ToArray(), probes.Select(p => p.Identity).ToArray());
            MegaFaceList.WriteJson(Path.Combine(lists, MegaFaceDataset.DistractorJsonName(options.MegaFaceDistractors)), distractors.Select(d => d.Path).ToArray());
            MegaFaceList.WriteLines(Path.Combine(folder, MegaFaceDataset.ProbePlainList), probes.Select(p => p.Path));
            MegaFaceList.WriteLines(Path.Combine(folder, MegaFaceDataset.DistractorPlainList), distractors.Select(d => d.Path));
            File.WriteAllText(Path.Combine(folder, MegaFaceDataset.ProbeNoiseList), "# SynthFaces: synthetic probes, no noisy images\n", Utf8);
            File.WriteAllText(Path.Combine(folder, MegaFaceDataset.DistractorNoiseList), "# SynthFaces: synthetic distractors, no noisy images\n", Utf8);
            File.WriteAllText(Path.Combine(folder, RecordIoDatasetWriter.SyntheticMarkerFileName), MarkerText);
            return result with
            {
                MegaFaceFolder = folder,
                MegaFaceProbes = probes.Count,
                MegaFaceProbeIdentities = options.MegaFaceProbeIdentities,
                MegaFaceDistractors = distractors.Count,
            };
        }

        private byte[] Jpeg(Spec spec) => ImageEncoder.EncodeJpeg(Render(spec, out _), options.JpegQuality);

        /// <summary>Renders items in parallel, a chunk at a time, and hands them to <paramref name="write"/> strictly in order.</summary>
        private void RenderInOrder<TItem, TOut>(IReadOnlyList<TItem> items, Func<TItem, TOut> render, Action<TItem, TOut> write, int imagesPerItem = 1)
        {
            var buffer = new TOut[ChunkSize];
            for (int start = 0; start < items.Count; start += ChunkSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(ChunkSize, items.Count - start);
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellation },
                    i => buffer[i] = render(items[start + i]));
                for (int i = 0; i < count; i++) write(items[start + i], buffer[i]);
                Rendered += count * imagesPerItem;
                progress?.Report(Math.Min(1, (double)Rendered / _total));
            }
        }

        private static void WriteFile(string rootFolder, string relative, byte[] bytes)
        {
            string path = Path.Combine(rootFolder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        private static void DeleteFolder(string folder)
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    // ---- descriptions ---------------------------------------------------------------------------

    private static string Readme(SynthOptions o, SynthResult r)
    {
        var text = new StringBuilder();
        text.Append("SYNTHETIC DATA - generated by PocketNet SynthFaces. These are procedurally rendered faces of\n");
        text.Append("synthetic identities, not photographs of people. Results measured on them are synthetic results and\n");
        text.Append("say nothing about accuracy on the real benchmarks (LFW, CFP-FP, AgeDB-30, IJB-B/C, MegaFace).\n\n");
        text.Append("The files use the real formats, so every reader and protocol runs end to end:\n");
        if (r.TrainFolder is not null) text.Append(CultureInfo.InvariantCulture, $"  train/train.rec + train.idx   RecordIO training set: {r.TrainIdentities} identities, {r.TrainImages} images\n");
        foreach (var (name, _) in r.PairSets) text.Append(CultureInfo.InvariantCulture, $"  {name}.bin{new string(' ', Math.Max(1, 28 - name.Length - 4))}InsightFace pair set: {r.PairsPerSet} pairs in 10 folds\n");
        if (r.IjbFolder is not null) text.Append(CultureInfo.InvariantCulture, $"  synth_ijb/                    IJB layout: {r.IjbImages} loose crops, {r.IjbTemplates} templates, {r.IjbGenuinePairs} genuine + {r.IjbImpostorPairs} impostor pairs\n");
        if (r.MegaFaceFolder is not null) text.Append(CultureInfo.InvariantCulture, $"  synth_megaface/               MegaFace layout: {r.MegaFaceProbes} probes of {r.MegaFaceProbeIdentities} identities, {r.MegaFaceDistractors} distractors\n");
        text.Append("\nGeneration options (the output is a pure function of them: same options, same bytes):\n");
        text.Append(CultureInfo.InvariantCulture, $"  seed                        {o.Seed}\n");
        text.Append(CultureInfo.InvariantCulture, $"  parts                       {o.Parts}\n");
        text.Append(CultureInfo.InvariantCulture, $"  identities                  {o.Identities}\n");
        text.Append(CultureInfo.InvariantCulture, $"  images per identity         {o.ImagesPerIdentity}\n");
        text.Append(CultureInfo.InvariantCulture, $"  pairs per pair set          {o.PairCount}\n");
        text.Append(CultureInfo.InvariantCulture, $"  identities per pair set     {o.PairSetIdentities}\n");
        text.Append(CultureInfo.InvariantCulture, $"  IJB subjects                {o.IjbSubjects}\n");
        text.Append(CultureInfo.InvariantCulture, $"  IJB templates per subject   {o.IjbTemplatesPerSubject}\n");
        text.Append(CultureInfo.InvariantCulture, $"  IJB impostor pairs (max)    {o.IjbImpostorPairs}\n");
        text.Append(CultureInfo.InvariantCulture, $"  MegaFace probe identities   {o.MegaFaceProbeIdentities}\n");
        text.Append(CultureInfo.InvariantCulture, $"  MegaFace images per probe   {o.MegaFaceImagesPerProbe}\n");
        text.Append(CultureInfo.InvariantCulture, $"  MegaFace distractors        {o.MegaFaceDistractors}\n");
        text.Append(CultureInfo.InvariantCulture, $"  JPEG quality                {o.JpegQuality}\n");
        return text.ToString();
    }

    private static string Manifest(SynthOptions o, SynthResult r)
    {
        var manifest = new Dictionary<string, object?>
        {
            ["synthetic"] = true,
            ["generator"] = "PocketNet SynthFaces",
            ["seed"] = o.Seed,
            ["options"] = new Dictionary<string, object>
            {
                ["parts"] = o.Parts.ToString(),
                ["identities"] = o.Identities,
                ["images_per_identity"] = o.ImagesPerIdentity,
                ["pair_count"] = o.PairCount,
                ["pair_set_identities"] = o.PairSetIdentities,
                ["ijb_subjects"] = o.IjbSubjects,
                ["ijb_templates_per_subject"] = o.IjbTemplatesPerSubject,
                ["ijb_impostor_pairs"] = o.IjbImpostorPairs,
                ["megaface_probe_identities"] = o.MegaFaceProbeIdentities,
                ["megaface_images_per_probe"] = o.MegaFaceImagesPerProbe,
                ["megaface_distractors"] = o.MegaFaceDistractors,
                ["jpeg_quality"] = o.JpegQuality,
            },
            ["counts"] = new Dictionary<string, int>
            {
                ["train_images"] = r.TrainImages,
                ["train_identities"] = r.TrainIdentities,
                ["pairs_per_set"] = r.PairsPerSet,
                ["ijb_images"] = r.IjbImages,
                ["ijb_templates"] = r.IjbTemplates,
                ["ijb_media"] = r.IjbMedia,
                ["ijb_genuine_pairs"] = r.IjbGenuinePairs,
                ["ijb_impostor_pairs"] = r.IjbImpostorPairs,
                ["megaface_probes"] = r.MegaFaceProbes,
                ["megaface_probe_identities"] = r.MegaFaceProbeIdentities,
                ["megaface_distractors"] = r.MegaFaceDistractors,
                ["total_images"] = r.TotalImages,
            },
        };
        return JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
