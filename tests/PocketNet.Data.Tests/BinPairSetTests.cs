using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PocketNet.Data.Imaging;
using PocketNet.Data.Pairs;
using PocketNet.Data.RecordIO;

namespace PocketNet.Data.Tests;

public class BinPairSetTests
{
    /// <summary>Encoded 112 x 112 test faces: JPEG mostly, a PNG every fifth (pair sets mix both in the wild).</summary>
    private static List<byte[]> Images(int count, int seed = 0)
    {
        var images = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            Image image = TestImages.Smooth(112, 112, 3, seed + i);
            images.Add(i % 5 == 4 ? ImageEncoder.EncodePng(image) : ImageEncoder.EncodeJpeg(image, 90));
        }
        return images;
    }

    private static bool[] Labels(int pairs) => Enumerable.Range(0, pairs).Select(i => i % 3 != 1).ToArray();

    [Fact]
    public void WrittenPairSetReadsBackDecodedAndNormalised()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "tiny.bin");
        List<byte[]> images = Images(8);
        bool[] labels = Labels(4);
        BinPairSetWriter.Write(path, images, labels);

        BinPairSetContents raw = BinPairSetReader.ReadEncoded(path);
        Assert.Equal(4, raw.PairCount);
        Assert.Equal(labels, raw.IsSame);
        for (int i = 0; i < images.Count; i++) Assert.Equal(images[i], raw.Images[i]);

        PairSet set = BinPairSetReader.Read(path, maxDegreeOfParallelism: 3);
        Assert.Equal("tiny", set.Name);
        Assert.False(set.IsSynthetic);
        Assert.Equal(112, set.ImageSize);
        Assert.Equal(labels, set.IsSame);
        for (int i = 0; i < images.Count; i++)
            Assert.Equal(ImageDecoder.Decode(images[i], "x", expandToRgb: true).ToModelInput(), set.Images[i]);

        // The synthetic label: explicit, or from a SYNTHETIC marker beside the file.
        Assert.True(BinPairSetReader.Read(path, name: "n", isSynthetic: true).IsSynthetic);
        File.WriteAllText(Path.Combine(temp.Path, RecordIoDatasetWriter.SyntheticMarkerFileName), "synthetic");
        Assert.True(BinPairSetReader.Read(path).IsSynthetic);
        Assert.False(BinPairSetReader.Read(path, isSynthetic: false).IsSynthetic);
    }

    [Fact]
    public void PythonsPickleLoadsOurFilesIncludingBatchesAndShortBytes()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "ours.bin");
        // 1,001 pairs: 2,002 images and 1,001 labels cross the 1,000-item APPENDS batches; a 2x2 PNG is
        // shorter than 256 bytes and goes out as SHORT_BINBYTES.
        var images = new List<byte[]>();
        byte[] small = ImageEncoder.EncodePng(TestImages.Noise(2, 2, 3, 9));
        Assert.True(small.Length < 256);
        byte[] large = ImageEncoder.EncodeJpeg(TestImages.Smooth(112, 112, 3, 1));
        for (int i = 0; i < 2002; i++) images.Add(i % 7 == 0 ? small : i % 2 == 0 ? large : [.. large.AsSpan(0, large.Length - 2), 0xFF, 0xD9]);
        bool[] labels = Labels(1001);
        using (var writer = new BinPairSetWriter(path))
        {
            for (int i = 0; i < labels.Length; i++) writer.AddPair(images[2 * i], images[2 * i + 1], labels[i]);
            writer.Complete();
        }
        Assert.False(File.Exists(path + ".tmp"));

        string json = Path.Combine(temp.Path, "loaded.json");
        PythonRunner.Run("pickle_bin.py", "load", path, json);
        using var loaded = JsonDocument.Parse(File.ReadAllText(json));
        string[] hashes = loaded.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetString()!).ToArray();
        bool[] same = loaded.RootElement.GetProperty("issame").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        Assert.Equal(images.Select(Sha256), hashes);
        Assert.Equal(labels, same);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void FilesWrittenByPythonsPickleLoad(int protocol)
    {
        using var temp = new TempDirectory();
        string folder = Path.Combine(temp.Path, "in");
        Directory.CreateDirectory(folder);
        List<byte[]> images = Images(6, seed: 40);
        images.Add(images[0]); // a repeated object: Python memoizes it and writes a BINGET
        images.Add(ImageEncoder.EncodeJpeg(TestImages.Smooth(112, 112, 1, 3)));
        for (int i = 0; i < images.Count; i++) File.WriteAllBytes(Path.Combine(folder, $"img_{i:D3}.bin"), images[i]);
        bool[] labels = Labels(4);
        File.WriteAllText(Path.Combine(folder, "labels.json"), JsonSerializer.Serialize(labels));
        string path = Path.Combine(temp.Path, $"py{protocol}.bin");
        PythonRunner.Run("pickle_bin.py", "dump", folder, protocol.ToString(), path);

        BinPairSetContents raw = BinPairSetReader.ReadEncoded(path);
        Assert.Equal(labels, raw.IsSame);
        for (int i = 0; i < images.Count; i++) Assert.Equal(images[i], raw.Images[i]);
        PairSet set = BinPairSetReader.Read(path);
        Assert.Equal(8, set.Images.Count);
        // The gray JPEG comes out as three equal planes.
        float[] gray = set.Images[7];
        Assert.Equal(gray.AsSpan(0, 112 * 112).ToArray(), gray.AsSpan(2 * 112 * 112, 112 * 112).ToArray());
    }

    [Fact]
    public void Python2PicklesWithByteStringsAndMemoLoad()
    {
        // What Python 2's pickle.dump(..., protocol=2) writes: str as SHORT_BINSTRING / BINSTRING, BINPUT memo.
        List<byte[]> images = Images(4, seed: 70);
        var bytes = new List<byte> { 0x80, 2, (byte)']', (byte)'q', 0, (byte)'(' };
        for (int i = 0; i < images.Count; i++)
        {
            bytes.Add((byte)'T');
            bytes.AddRange(BitConverter.GetBytes(images[i].Length));
            bytes.AddRange(images[i]);
            bytes.AddRange([(byte)'q', (byte)(i + 1)]);
        }
        bytes.AddRange([(byte)'e', (byte)']', (byte)'q', 10, (byte)'(', 0x88, 0x89, (byte)'e', 0x86, (byte)'q', 11, (byte)'.']);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "py2.bin");
        File.WriteAllBytes(path, bytes.ToArray());

        PairSet set = BinPairSetReader.Read(path);
        Assert.Equal([true, false], set.IsSame);
        Assert.Equal(ImageDecoder.Decode(images[3], "x", true).ToModelInput(), set.Images[3]);
    }

    [Fact]
    public void UnexpectedStructureIsReportedWithTheFileAndPosition()
    {
        using var temp = new TempDirectory();
        string Pickle(string name, byte[] content)
        {
            string path = Path.Combine(temp.Path, name);
            File.WriteAllBytes(path, content);
            return path;
        }

        // A dict instead of a tuple.
        string dict = Pickle("dict.bin", [0x80, 2, (byte)'}', (byte)'.']);
        var e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(dict));
        Assert.Contains(dict, e.Message);
        Assert.Contains("dict", e.Message);

        // A 3-tuple.
        string triple = Pickle("triple.bin", [0x80, 2, (byte)']', (byte)']', (byte)']', 0x87, (byte)'.']);
        e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(triple));
        Assert.Contains("3 elements", e.Message);

        // An int among the images: named by its index.
        string intImage = Pickle("int.bin", [0x80, 2, (byte)']', (byte)'(', (byte)'C', 1, 0xFF, (byte)'K', 7, (byte)'e', (byte)']', 0x86, (byte)'.']);
        e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(intImage));
        Assert.Contains("images[1]", e.Message);
        Assert.Contains(intImage, e.Message);

        // A string among the labels.
        string badLabel = Pickle("label.bin", [0x80, 2, (byte)']', (byte)']', (byte)'(', 0x88, 0x8c, 1, (byte)'x', (byte)'e', 0x86, (byte)'.']);
        e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(badLabel));
        Assert.Contains("issame[1]", e.Message);

        // Truncated pickle: the engine's reader names the byte offset.
        string truncated = Pickle("truncated.bin", [0x80, 2, (byte)']', (byte)'(', (byte)'B', 100, 0, 0, 0, 1, 2]);
        e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(truncated));
        Assert.Contains(truncated, e.Message);
        Assert.Contains("byte", e.Message);

        // A global that is not allow-listed is refused, never run.
        string global = Pickle("global.bin", [0x80, 2, .. "cos\nsystem\n"u8, (byte)'.']);
        e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(global));
        Assert.Contains("os.system", e.Message);
    }

    [Fact]
    public void ImageCountMustBeTwiceThePairCount()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "odd.bin");
        List<byte[]> images = Images(3);
        // Write a valid pickle of 3 images and 2 labels by hand (the writer refuses it).
        var bytes = new List<byte> { 0x80, 3, (byte)']', (byte)'(' };
        foreach (byte[] image in images)
        {
            bytes.Add((byte)'B');
            bytes.AddRange(BitConverter.GetBytes(image.Length));
            bytes.AddRange(image);
        }
        bytes.AddRange([(byte)'e', (byte)']', (byte)'(', 0x88, 0x89, (byte)'e', 0x86, (byte)'.']);
        File.WriteAllBytes(path, bytes.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.ReadEncoded(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("3 images for 2 pairs", e.Message);
        Assert.Throws<ArgumentException>(() => BinPairSetWriter.Write(path, images, [true, false]));
    }

    [Fact]
    public void CorruptAndWrongSizeImagesAreNamedByIndex()
    {
        using var temp = new TempDirectory();
        List<byte[]> images = Images(6);
        images[3] = images[3].AsSpan(0, images[3].Length / 2).ToArray(); // header intact, data cut short
        string path = Path.Combine(temp.Path, "corrupt.bin");
        BinPairSetWriter.Write(path, images, Labels(3));
        var e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("image 3 (pair 1, second)", e.Message);

        images = Images(4);
        images[2] = ImageEncoder.EncodeJpeg(TestImages.Smooth(96, 112, 3, 1));
        path = Path.Combine(temp.Path, "size.bin");
        BinPairSetWriter.Write(path, images, Labels(2));
        e = Assert.Throws<InvalidDataException>(() => BinPairSetReader.Read(path));
        Assert.Contains("image 2 (pair 1, first)", e.Message);
        Assert.Contains("96x112", e.Message);
    }

    [Fact]
    public void AbandonedWriterLeavesNoFile()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "abandoned.bin");
        List<byte[]> images = Images(2);
        using (var writer = new BinPairSetWriter(path)) writer.AddPair(images[0], images[1], true);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
        using var refusing = new BinPairSetWriter(path);
        Assert.Throws<ArgumentException>(() => refusing.AddPair("not an image"u8, images[1], true));
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
}
