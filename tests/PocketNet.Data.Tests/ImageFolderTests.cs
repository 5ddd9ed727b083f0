using PocketNet.Data.Folders;
using PocketNet.Data.Imaging;

namespace PocketNet.Data.Tests;

public class ImageFolderTests
{
    [Fact]
    public void IdentitiesAreSortedFoldersAndImagesAreDecoded()
    {
        using var temp = new TempDirectory();
        string root = Path.Combine(temp.Path, "casia");
        var written = new Dictionary<string, Image>();
        void Put(string relative, Image image)
        {
            string path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageEncoder.Save(image, path);
            written[Path.GetFullPath(path)] = image;
        }
        // Ordinal order: "B" < "a" < "c10" < "c2".
        Put("c2/1.png", TestImages.Noise(112, 112, 3, 1));
        Put("a/x.PNG", TestImages.Noise(112, 112, 1, 2));
        Put("a/sub/y.png", TestImages.Noise(112, 112, 3, 3));
        Put("c10/0.jpg", TestImages.Smooth(112, 112, 3, 4));
        Put("B/z.jpeg", TestImages.Smooth(112, 112, 3, 5));
        File.WriteAllText(Path.Combine(root, "a", "notes.txt"), "not an image");

        var set = new ImageFolderTrainingSet(root);
        Assert.Equal("casia", set.Name);
        Assert.False(set.IsSynthetic);
        Assert.Equal(new[] { "B", "a", "c10", "c2" }, set.ClassNames);
        Assert.Equal(4, set.ClassCount);
        Assert.Equal(5, set.Count);
        Assert.Equal(new[] { 0, 1, 1, 2, 3 }, Enumerable.Range(0, 5).Select(set.GetLabel));
        Assert.EndsWith(Path.Combine("a", "sub", "y.png"), set.GetPath(1));
        Assert.EndsWith(Path.Combine("a", "x.PNG"), set.GetPath(2));

        var floats = new float[3 * 112 * 112];
        for (int i = 0; i < set.Count; i++)
        {
            set.ReadImage(i, floats);
            Image stored = written[set.GetPath(i)];
            if (ImageEncoder.FormatForPath(set.GetPath(i)) == ImageFormat.Png)
                Assert.Equal(stored.ToModelInput(), floats);
            else
                Assert.Equal(ImageDecoder.Decode(File.ReadAllBytes(set.GetPath(i)), "x", true).ToModelInput(), floats);
        }

        File.WriteAllText(Path.Combine(root, "SYNTHETIC"), "");
        Assert.True(new ImageFolderTrainingSet(root).IsSynthetic);
        Assert.False(new ImageFolderTrainingSet(root, isSynthetic: false).IsSynthetic);
    }

    [Fact]
    public void EmptyTreesAreErrors()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderTrainingSet(temp.Path));
        Assert.Contains(temp.Path, e.Message);

        Directory.CreateDirectory(Path.Combine(temp.Path, "id0"));
        ImageEncoder.Save(TestImages.Noise(112, 112, 3, 0), Path.Combine(temp.Path, "id0", "a.png"));
        Directory.CreateDirectory(Path.Combine(temp.Path, "id1"));
        File.WriteAllText(Path.Combine(temp.Path, "id1", "readme.md"), "");
        e = Assert.Throws<InvalidDataException>(() => new ImageFolderTrainingSet(temp.Path));
        Assert.Contains("id1", e.Message);

        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderTrainingSet(Path.Combine(temp.Path, "missing")));
    }

    [Fact]
    public void BadImagesAreReportedByFile()
    {
        using var temp = new TempDirectory();
        string folder = Path.Combine(temp.Path, "person");
        Directory.CreateDirectory(folder);
        string good = Path.Combine(folder, "0.png"), corrupt = Path.Combine(folder, "1.jpg"), small = Path.Combine(folder, "2.png");
        ImageEncoder.Save(TestImages.Noise(112, 112, 3, 0), good);
        File.WriteAllBytes(corrupt, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        ImageEncoder.Save(TestImages.Noise(100, 100, 3, 0), small);

        var set = new ImageFolderTrainingSet(temp.Path);
        var floats = new float[3 * 112 * 112];
        set.ReadImage(0, floats);
        var e = Assert.Throws<InvalidDataException>(() => set.ReadImage(1, floats));
        Assert.Contains(corrupt, e.Message);
        e = Assert.Throws<InvalidDataException>(() => set.ReadImage(2, floats));
        Assert.Contains(small, e.Message);
        Assert.Contains("100x100", e.Message);

        File.Delete(good); // vanished after listing: an I/O error that still names the file
        e = Assert.Throws<InvalidDataException>(() => set.ReadImage(0, floats));
        Assert.Contains(good, e.Message);
    }
}
