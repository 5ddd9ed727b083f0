using PocketNet.Data.Synth;

namespace PocketNet.Portal.Testing;

/// <summary>
/// SynthFaces small enough for tests (48 training images of 12 identities, 40 pairs per pair set, small IJB and
/// MegaFace stand-ins), generated once per test run into a shared temporary folder.
/// </summary>
public static class TinySynthData
{
    private static readonly Lazy<string> Folder = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Root => Folder.Value;

    private static string Generate()
    {
        string root = Path.Combine(Path.GetTempPath(), $"pocketnet-portal-synth-{Environment.ProcessId}");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        SynthFaces.Generate(new SynthOptions
        {
            OutputFolder = root,
            Seed = 3,
            Identities = 12,
            ImagesPerIdentity = 4,
            PairCount = 40,
            PairSetIdentities = 20,
            IjbSubjects = 6,
            IjbTemplatesPerSubject = 2,
            IjbImpostorPairs = 60,
            MegaFaceProbeIdentities = 4,
            MegaFaceImagesPerProbe = 3,
            MegaFaceDistractors = 40,
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        };
        return root;
    }
}
