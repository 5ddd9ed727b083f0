using PocketNet.Evaluation.Formats;
using PocketNet.Evaluation.Identification;

namespace PocketNet.Evaluation.Tests.Formats;

public class MegaFaceFeatureListTests
{
    private const string Suffix = "_algo.bin";

    private static void WriteFeature(string root, string imagePath, float[] feature)
    {
        string path = Path.Combine(root, imagePath + Suffix);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        MegaFaceFeatureFile.WriteVector(path, feature);
    }

    [Fact]
    public void ProbeListLoadsFeaturesAndIdentities()
    {
        using var folder = new TempDirectory();
        string list = Path.Combine(folder.Path, "facescrub_features_list.json");
        File.WriteAllText(list, """
            {"path": ["Ann/Ann_1.png", "Ann/Ann_2.png", "Bob/Bob_7.png"], "id": ["Ann", "Ann", "Bob"]}
            """);
        string root = Path.Combine(folder.Path, "facescrub");
        WriteFeature(root, "Ann/Ann_1.png", [1, 0]);
        WriteFeature(root, "Ann/Ann_2.png", [0, 1]);
        WriteFeature(root, "Bob/Bob_7.png", [1, 1]);

        var features = MegaFaceFeatureList.Load(list);
        Assert.Equal(3, features.Count);
        Assert.Equal(Path.Combine(root, "Bob/Bob_7.png_algo.bin"), features.FeaturePath(2, root, Suffix));
        Assert.Empty(features.MissingFeatures(root, Suffix));
        var probes = features.LoadProbes(root, Suffix);
        Assert.Equal(2, probes.Dimension);
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 1f], probes.Features);
        Assert.Equal(["Ann", "Ann", "Bob"], probes.Identities);
        Assert.Equal(2, probes.IdentityCount);
    }

    [Fact]
    public void DistractorListStreamsBlocksAndDerivesNothingItLacks()
    {
        using var folder = new TempDirectory();
        string list = Path.Combine(folder.Path, "megaface_features_list.json_3_1");
        File.WriteAllText(list, """{"path": ["1/a@N00/x_0.jpg", "2/b@N01/y_3.jpg", "3/c@N02/z_1.jpg"]}""");
        string root = Path.Combine(folder.Path, "megaface");
        WriteFeature(root, "1/a@N00/x_0.jpg", [1, 2, 3]);
        WriteFeature(root, "2/b@N01/y_3.jpg", [4, 5, 6]);

        var features = MegaFaceFeatureList.Load(list);
        Assert.Null(features.Identities);
        Assert.Equal([Path.Combine(root, "3/c@N02/z_1.jpg" + Suffix)], features.MissingFeatures(root, Suffix));

        WriteFeature(root, "3/c@N02/z_1.jpg", [7, 8, 9]);
        IFeatureSource source = features.OpenFeatures(root, Suffix);
        Assert.Equal((3, 3L), (source.Dimension, source.Count));
        var block = new float[6];
        source.Read(1, 2, block);
        Assert.Equal([4f, 5f, 6f, 7f, 8f, 9f], block);

        // A file of another length is named.
        WriteFeature(root, "2/b@N01/y_3.jpg", [4, 5]);
        var error = Assert.Throws<InvalidDataException>(() => source.Read(0, 3, new float[9]));
        Assert.Contains("y_3.jpg_algo.bin", error.Message);
    }

    [Fact]
    public void IdentitiesFallBackToTheImageFolder()
    {
        using var folder = new TempDirectory();
        var features = MegaFaceFeatureList.FromPaths(["Ann/Ann_1.png", "Bob/Bob_1.png"]);
        WriteFeature(folder.Path, "Ann/Ann_1.png", [1]);
        WriteFeature(folder.Path, "Bob/Bob_1.png", [2]);
        Assert.Equal(["Ann", "Bob"], features.LoadProbes(folder.Path, Suffix).Identities);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"paths": []}""", "no \"path\" array")]
    [InlineData("""{"path": ["a", 3]}""", "\"path\"[1] is not a string")]
    [InlineData("""{"path": ["a"], "id": ["x", "y"]}""", "1 paths but 2 ids")]
    public void MalformedListsFailWithTheFileNamed(string content, string expected)
    {
        using var folder = new TempDirectory();
        string list = Path.Combine(folder.Path, "list.json");
        File.WriteAllText(list, content);
        var error = Assert.Throws<InvalidDataException>(() => MegaFaceFeatureList.Load(list));
        Assert.Contains(list, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
