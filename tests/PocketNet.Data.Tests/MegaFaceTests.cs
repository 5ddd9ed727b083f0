using PocketNet.Data.Imaging;
using PocketNet.Data.MegaFace;

namespace PocketNet.Data.Tests;

public class MegaFaceTests
{
    private static readonly string[] ProbePaths =
    [
        "Ann_A/Ann_A_1.png", "Ann_A/Ann_A_2.png", "Ann_A/Ann_A_3.png", "Bob_B/Bob_B_7.png", "Bob_B/Bob_B_8.png",
    ];

    private static readonly string[] DistractorPaths = ["534/53415754@N00/37731000_1.jpg", "389/38989502@N07/4767491946_13.jpg", "388/38811680@N06/3837159123_2.jpg"];

    private static string WriteLayout(string root, bool devkitLists = true, int distractorSize = 112)
    {
        for (int i = 0; i < ProbePaths.Length; i++) Save(Path.Combine(root, "facescrub_images", ProbePaths[i]), TestImages.Smooth(112, 112, 3, i));
        for (int i = 0; i < DistractorPaths.Length; i++)
            Save(Path.Combine(root, "megaface_images", DistractorPaths[i]), TestImages.Smooth(distractorSize, distractorSize, 3, 50 + i));
        MegaFaceList.WriteLines(Path.Combine(root, "facescrub_lst"), ProbePaths);
        MegaFaceList.WriteLines(Path.Combine(root, "megaface_lst"), DistractorPaths);
        if (devkitLists)
        {
            string lists = Path.Combine(root, "devkit", "templatelists");
            // The devkit's probe list names identities explicitly; use other names to see that "id" wins over folders.
            MegaFaceList.WriteJson(Path.Combine(lists, "facescrub_features_list.json"), ProbePaths, ["Ann", "Ann", "Ann", "Bob", "Bob"]);
            MegaFaceList.WriteJson(Path.Combine(lists, "megaface_features_list.json_3_1"), DistractorPaths);
            MegaFaceList.WriteJson(Path.Combine(lists, "megaface_features_list.json_2_1"), DistractorPaths[..2]);
        }
        File.WriteAllLines(Path.Combine(root, "facescrub_noises.txt"), ["# noisy FaceScrub images", "Ann_A_2.png"]);
        File.WriteAllLines(Path.Combine(root, "megaface_noises.txt"), ["# noisy distractors", "17\t389/38989502@N07/4767491946_13.jpg"]);
        return root;
    }

    private static void Save(string path, Image image)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ImageEncoder.EncodePng(image));
    }

    [Fact]
    public void DevkitListsDefineProbesAndDistractors()
    {
        using var temp = new TempDirectory();
        string root = WriteLayout(Path.Combine(temp.Path, "megaface"));
        MegaFaceDataset set = MegaFaceDataset.Open(root);

        Assert.Equal("megaface", set.Name);
        Assert.False(set.IsSynthetic);
        Assert.EndsWith("facescrub_features_list.json", set.ProbeListPath);
        Assert.EndsWith("megaface_features_list.json_3_1", set.DistractorListPath); // the largest when 10^6 is absent
        Assert.Equal(5, set.Probes.Count);
        Assert.Equal(2, set.ProbeIdentityCount);
        Assert.Equal(["Ann", "Ann", "Ann", "Bob", "Bob"], set.Probes.Select(p => p.Identity));
        Assert.Equal([false, true, false, false, false], set.Probes.Select(p => p.IsNoise));
        Assert.Equal(3, set.Distractors.Count);
        Assert.Equal([false, true, false], set.Distractors.Select(d => d.IsNoise));
        Assert.Equal(Path.Combine(root, "megaface_images", DistractorPaths[2]), set.Distractors[2].ImagePath);
        Assert.Empty(set.FindMissingImages());

        var buffer = new float[3 * 112 * 112];
        set.ProbeImages.ReadImage(3, buffer);
        Assert.Equal(TestImages.Smooth(112, 112, 3, 3).ToModelInput(), buffer);
        var batches = ImageBatchReader.Read(set.DistractorImages, 2).Select(b => (b.Start, b.Count, First: b.Image(0)[0])).ToList();
        Assert.Equal([(0, 2), (2, 1)], batches.Select(b => (b.Start, b.Count)));

        MegaFaceDataset small = MegaFaceDataset.Open(root, new MegaFaceDatasetOptions { DistractorCount = 2, UseNoiseLists = false });
        Assert.Equal(2, small.Distractors.Count);
        Assert.All(small.Probes, p => Assert.False(p.IsNoise));
    }

    [Fact]
    public void PlainListsWorkAndIdentitiesComeFromFolders()
    {
        using var temp = new TempDirectory();
        string root = WriteLayout(Path.Combine(temp.Path, "testpack"), devkitLists: false);
        MegaFaceDataset set = MegaFaceDataset.Open(root);
        Assert.EndsWith("facescrub_lst", set.ProbeListPath);
        Assert.EndsWith("megaface_lst", set.DistractorListPath);
        Assert.Equal(["Ann_A", "Ann_A", "Ann_A", "Bob_B", "Bob_B"], set.Probes.Select(p => p.Identity));
        Assert.Equal(3, set.Distractors.Count);

        MegaFaceList json = MegaFaceList.Load(Path.Combine(root, "facescrub_lst"));
        Assert.Null(json.Identities);
    }

    [Fact]
    public void ImagesThatAreNotAlignedCropsAreRefused()
    {
        using var temp = new TempDirectory();
        string root = WriteLayout(Path.Combine(temp.Path, "megaface"), distractorSize: 128);
        MegaFaceDataset set = MegaFaceDataset.Open(root);
        var e = Assert.Throws<InvalidDataException>(() => set.DistractorImages.ReadImage(0, new float[3 * 112 * 112]));
        Assert.Contains("128x128", e.Message);
        Assert.Contains(DistractorPaths[0].Split('/')[^1], e.Message);
    }

    [Fact]
    public void BadListsAreReportedWithTheFile()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "list.json");
        File.WriteAllText(path, "{\"path\": [\"a.png\", 3]}");
        var e = Assert.Throws<InvalidDataException>(() => MegaFaceList.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("\"path\"[1]", e.Message);

        File.WriteAllText(path, "{\"path\": [\"a.png\"], \"id\": []}");
        e = Assert.Throws<InvalidDataException>(() => MegaFaceList.Load(path));
        Assert.Contains("1 paths but 0 ids", e.Message);

        File.WriteAllText(path, "{\"path\": [");
        e = Assert.Throws<InvalidDataException>(() => MegaFaceList.Load(path));
        Assert.Contains("not valid JSON", e.Message);

        Assert.Throws<DirectoryNotFoundException>(() => MegaFaceDataset.Open(Path.Combine(temp.Path, "none")));
        Directory.CreateDirectory(Path.Combine(temp.Path, "empty"));
        Assert.Throws<FileNotFoundException>(() => MegaFaceDataset.Open(Path.Combine(temp.Path, "empty")));
    }

    [Fact]
    public void DevkitJsonFormIsWhatTheDevkitReads()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "facescrub_features_list.json");
        MegaFaceList.WriteJson(path, ["A/A_1.png", "B/B_2.png"], ["A", "B"]);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(["path", "id"], document.RootElement.EnumerateObject().Select(p => p.Name));
        MegaFaceList list = MegaFaceList.Load(path);
        Assert.Equal(["A/A_1.png", "B/B_2.png"], list.Paths);
        Assert.Equal("B", list.IdentityOf(1));
    }
}
