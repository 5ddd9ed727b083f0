using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using PocketNet.Data.Imaging;
using PocketNet.Data.RecordIO;

namespace PocketNet.Data.Tests;

public class RecordIoTests
{
    private static readonly byte[] Magic = [0x0a, 0x23, 0xd7, 0xce];

    [Fact]
    public void RawRecordsRoundTripIncludingSplitOnes()
    {
        using var temp = new TempDirectory();
        string rec = Path.Combine(temp.Path, "raw.rec");
        byte[][] records =
        [
            [],
            [1, 2, 3],
            [.. Magic],                                   // the magic alone: split into an empty first and last part
            [.. "abcd"u8, .. Magic, .. "efgh"u8, .. Magic, 9], // two aligned occurrences: first, middle, last part
            [1, .. Magic, 2, 3, 4],                        // unaligned occurrence: not split
            RandomBytes(1001, 5),
        ];
        using (var writer = new RecordIoWriter(rec))
            for (int i = 0; i < records.Length; i++) writer.Write(100 + i, records[i]);

        Assert.Equal(0, File.ReadAllBytes(rec).Length % 4);
        using var reader = new RecordIoReader(rec);
        Assert.Equal(Enumerable.Range(100, records.Length), reader.Keys);
        for (int i = records.Length - 1; i >= 0; i--) Assert.Equal(records[i], reader.ReadRecord(100 + i));

        var sequential = RecordIoReader.ReadSequential(rec).ToList();
        Assert.Equal(records.Length, sequential.Count);
        for (int i = 0; i < records.Length; i++)
        {
            Assert.Equal(records[i], sequential[i].Data);
            Assert.Equal(reader.GetOffset(100 + i), sequential[i].Offset);
        }

        // The record with two aligned magics went out as three parts, flags 1, 2, 3.
        byte[] file = File.ReadAllBytes(rec);
        long at = reader.GetOffset(103);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at + 4)) >> 29);
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at + 4)) & 0x1FFFFFFF);

        Span<byte> prefix = stackalloc byte[2];
        Assert.Equal(17, reader.ReadPrefix(103, prefix, out int copied));
        Assert.Equal(2, copied);
        Assert.Equal("ab"u8.ToArray(), prefix.ToArray());
    }

    [Fact]
    public void PythonReadsOurFilesAsMxnetAndInsightFaceDo()
    {
        using var temp = new TempDirectory();
        int[] labels = [0, 0, 1, 2, 2, 2, 1];
        var payloads = new List<byte[]>();
        using (var writer = RecordIoDatasetWriter.CreateInFolder(temp.Path))
            for (int i = 0; i < labels.Length; i++)
            {
                Image image = TestImages.Smooth(112, 112, 3, seed: i);
                byte[] encoded = i % 2 == 0 ? ImageEncoder.EncodeJpeg(image, 90) : ImageEncoder.EncodePng(image);
                payloads.Add(encoded);
                Assert.Equal(i + 1, writer.AddImage(labels[i], encoded));
            }

        string json = PythonRunner.Run("read_recordio.py", Path.Combine(temp.Path, "train.rec"), Path.Combine(temp.Path, "train.idx"));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        // Header: images are keys 1..7, identity records 8..(8 + runs); the runs of equal labels are 0,0 | 1 | 2,2,2 | 1.
        Assert.Equal(new[] { 8, 12 }, root.GetProperty("header0").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Enumerable.Range(0, 12), root.GetProperty("keys").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(12, root.GetProperty("sequential").GetArrayLength());
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(labels.Length, images.Count);
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(i + 1, images[i].GetProperty("key").GetInt32());
            Assert.Equal(i + 1, images[i].GetProperty("id").GetInt32());
            Assert.Equal(labels[i], images[i].GetProperty("label").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payloads[i])), images[i].GetProperty("sha256").GetString());
        }
        var identities = root.GetProperty("identities").EnumerateArray().Select(e => e.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();
        Assert.Equal(new[] { new[] { 1, 3 }, [3, 4], [4, 7], [7, 8] }, identities);
    }

    [Theory]
    [InlineData("insightface")]
    [InlineData("plain")]
    public void ReadsFilesWrittenByPython(string layout)
    {
        using var temp = new TempDirectory();
        PythonRunner.Run("write_recordio.py", temp.Path, layout);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "expected.json")));
        int[] keys = expected.RootElement.GetProperty("keys").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] labels = expected.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        byte[] pixels = File.ReadAllBytes(Path.Combine(temp.Path, "pixels.bin"));

        using var set = RecordIoTrainingSet.OpenFolder(temp.Path);
        Assert.Equal(keys.Length, set.Count);
        Assert.Equal(5, set.ClassCount);
        Assert.Equal(112, set.ImageSize);
        Assert.False(set.IsSynthetic);
        Assert.Equal(Path.GetFileName(temp.Path), set.Name);
        (int, int)? range = layout == "insightface" ? (13, 18) : null;
        Assert.Equal(range, set.HeaderRange);

        int stride = 112 * 112 * 3;
        var floats = new float[stride];
        for (int i = 0; i < set.Count; i++)
        {
            Assert.Equal(keys[i], set.GetKey(i));
            Assert.Equal(labels[i], set.GetLabel(i));
            ReadOnlySpan<byte> rgb = pixels.AsSpan(i * stride, stride);
            Assert.Equal(rgb.ToArray(), set.DecodeImage(i).Pixels);
            set.ReadImage(i, floats);
            var image = new Image(112, 112, 3, rgb.ToArray());
            Assert.Equal(image.ToModelInput(), floats);
        }
    }

    [Fact]
    public void DatasetWriterRoundTripsThroughTheTrainingSet()
    {
        using var temp = new TempDirectory();
        int[] labels = [3, 3, 0, 1, 1, 1, 2, 0];
        var images = labels.Select((_, i) => i == 5 ? TestImages.Noise(112, 112, 1, i) : TestImages.Noise(112, 112, 3, i)).ToList();
        using (var writer = RecordIoDatasetWriter.CreateInFolder(Path.Combine(temp.Path, "synth"), markSynthetic: true))
            for (int i = 0; i < labels.Length; i++) writer.AddImage(labels[i], images[i], ImageFormat.Png);

        using var set = RecordIoTrainingSet.OpenFolder(Path.Combine(temp.Path, "synth"));
        Assert.True(set.IsSynthetic);
        Assert.Equal("synth", set.Name);
        Assert.Equal(labels.Length, set.Count);
        Assert.Equal(4, set.ClassCount);
        Assert.Equal((9, 14), set.HeaderRange);
        var floats = new float[3 * 112 * 112];
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(labels[i], set.GetLabel(i));
            set.ReadImage(i, floats);
            Assert.Equal(images[i].ToModelInput(), floats);
            Assert.Equal(images[i].ToRgb().Pixels, set.DecodeImage(i).Pixels);
        }
        Assert.Equal(ImageEncoder.EncodePng(images[2]), set.ReadEncodedImage(2));

        // The constructor flag wins over the marker.
        using var real = RecordIoTrainingSet.OpenFolder(Path.Combine(temp.Path, "synth"), name: "x", isSynthetic: false);
        Assert.False(real.IsSynthetic);
        Assert.Equal("x", real.Name);
    }

    [Fact]
    public void ConcurrentReadsMatchSequentialOnes()
    {
        using var temp = new TempDirectory();
        const int n = 24;
        using (var writer = RecordIoDatasetWriter.CreateInFolder(temp.Path))
            for (int i = 0; i < n; i++)
                writer.AddImage(i / 3, TestImages.Smooth(112, 112, 3, i), i % 2 == 0 ? ImageFormat.Jpeg : ImageFormat.Png);

        using var set = RecordIoTrainingSet.OpenFolder(temp.Path);
        float[][] expected = Enumerable.Range(0, n).Select(i =>
        {
            var f = new float[3 * 112 * 112];
            set.ReadImage(i, f);
            return f;
        }).ToArray();
        Parallel.For(0, 20 * n, new ParallelOptions { MaxDegreeOfParallelism = 8 }, j =>
        {
            int i = (j * 7) % n;
            var f = new float[3 * 112 * 112];
            set.ReadImage(i, f);
            Assert.Equal(expected[i], f);
        });
    }

    // ---- malformed inputs: every error names the file and where in it ----

    [Fact]
    public void MissingIndexNamesIt()
    {
        using var temp = new TempDirectory();
        WriteSmallSet(temp.Path);
        File.Delete(Path.Combine(temp.Path, "train.idx"));
        var e = Assert.Throws<FileNotFoundException>(() => RecordIoTrainingSet.OpenFolder(temp.Path));
        Assert.Contains("train.idx", e.Message);
        Assert.Throws<FileNotFoundException>(() => new RecordIoReader(Path.Combine(temp.Path, "nothing.rec")));
    }

    [Theory]
    [InlineData("1\tabc", "line 3")]
    [InlineData("1", "line 3")]
    [InlineData("1\t999999999", "outside")]
    [InlineData("0\t0", "listed twice")]
    public void BadIndexLinesAreReportedWithTheirLineNumber(string badLine, string expected)
    {
        using var temp = new TempDirectory();
        WriteSmallSet(temp.Path);
        string idx = Path.Combine(temp.Path, "train.idx");
        var lines = File.ReadAllLines(idx).ToList();
        lines[2] = badLine;
        File.WriteAllLines(idx, lines);
        var e = Assert.Throws<InvalidDataException>(() => RecordIoTrainingSet.OpenFolder(temp.Path));
        Assert.Contains(idx, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedRecordFileNamesRecordAndOffset()
    {
        using var temp = new TempDirectory();
        WriteSmallSet(temp.Path);
        string rec = Path.Combine(temp.Path, "train.rec");
        long lastImage;
        using (var reader = new RecordIoReader(rec)) lastImage = reader.GetOffset(4);
        // Cut inside the last image's data (identity records dropped too: their index lines would point past the end).
        using (var stream = new FileStream(rec, FileMode.Open)) stream.SetLength(lastImage + 100);
        string idx = Path.Combine(temp.Path, "train.idx");
        File.WriteAllLines(idx, File.ReadAllLines(idx).Take(5));

        var e = Assert.Throws<InvalidDataException>(() => RecordIoTrainingSet.OpenFolder(temp.Path));
        Assert.Contains(rec, e.Message);
        Assert.Contains("record 4", e.Message);
        Assert.Contains($"byte offset {lastImage}", e.Message);
        Assert.Contains("truncated", e.Message);

        using var raw = new RecordIoReader(rec);
        e = Assert.Throws<InvalidDataException>(() => raw.ReadRecord(4));
        Assert.Contains("truncated", e.Message);
        Assert.NotNull(raw.ReadRecord(3));
        e = Assert.Throws<InvalidDataException>(() => RecordIoReader.ReadSequential(rec).ToList());
        Assert.Contains("record #4", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void BadMagicNamesRecordAndOffset()
    {
        using var temp = new TempDirectory();
        WriteSmallSet(temp.Path);
        string rec = Path.Combine(temp.Path, "train.rec");
        long offset;
        using (var reader = new RecordIoReader(rec)) offset = reader.GetOffset(2);
        byte[] file = File.ReadAllBytes(rec);
        file[offset] ^= 0xFF;
        File.WriteAllBytes(rec, file);

        var e = Assert.Throws<InvalidDataException>(() => RecordIoTrainingSet.OpenFolder(temp.Path));
        Assert.Contains(rec, e.Message);
        Assert.Contains("record 2", e.Message);
        Assert.Contains($"byte offset {offset}", e.Message);
        Assert.Contains("magic", e.Message);
        e = Assert.Throws<InvalidDataException>(() => RecordIoReader.ReadSequential(rec).ToList());
        Assert.Contains($"byte offset {offset}", e.Message);
    }

    [Fact]
    public void CorruptJpegNamesTheRecord()
    {
        using var temp = new TempDirectory();
        byte[] jpeg = ImageEncoder.EncodeJpeg(TestImages.Smooth(112, 112, 3, 1), 90);
        using (var writer = RecordIoDatasetWriter.CreateInFolder(temp.Path))
        {
            writer.AddImage(0, jpeg);
            writer.AddImage(1, jpeg.AsSpan(0, jpeg.Length / 2)); // truncated entropy data
            byte[] garbage = RandomBytes(500, 2);
            garbage[0] = 0xFF; garbage[1] = 0xD8; garbage[2] = 0xFF;
            writer.AddImage(1, garbage);                         // no valid header at all
        }
        using var set = RecordIoTrainingSet.OpenFolder(temp.Path);
        var floats = new float[3 * 112 * 112];
        set.ReadImage(0, floats);
        foreach (int index in new[] { 1, 2 })
        {
            var e = Assert.Throws<InvalidDataException>(() => set.ReadImage(index, floats));
            Assert.Contains(set.RecordPath, e.Message);
            Assert.Contains($"record {index + 1}", e.Message);
            Assert.Contains("JPEG", e.Message);
        }
    }

    [Fact]
    public void TruncatedPngNamesTheRecord()
    {
        using var temp = new TempDirectory();
        byte[] png = ImageEncoder.EncodePng(TestImages.Noise(112, 112, 3, 1));
        using (var writer = RecordIoDatasetWriter.CreateInFolder(temp.Path))
        {
            writer.AddImage(0, png);
            writer.AddImage(0, png.AsSpan(0, png.Length - 5000));
        }
        using var set = RecordIoTrainingSet.OpenFolder(temp.Path);
        var e = Assert.Throws<InvalidDataException>(() => set.ReadImage(1, new float[3 * 112 * 112]));
        Assert.Contains(set.RecordPath, e.Message);
        Assert.Contains("record 2", e.Message);
        Assert.Contains("PNG", e.Message);
    }

    [Fact]
    public void ImagesThatAreNot112AreRejectedByRecord()
    {
        using var temp = new TempDirectory();
        using (var writer = RecordIoDatasetWriter.CreateInFolder(temp.Path))
        {
            writer.AddImage(0, TestImages.Smooth(112, 112, 3, 1));
            writer.AddImage(1, TestImages.Smooth(96, 112, 3, 2), ImageFormat.Png);
        }
        using var set = RecordIoTrainingSet.OpenFolder(temp.Path);
        var e = Assert.Throws<InvalidDataException>(() => set.ReadImage(1, new float[3 * 112 * 112]));
        Assert.Contains("record 2", e.Message);
        Assert.Contains("96x112", e.Message);
        Assert.Equal(96, set.DecodeImage(1).Width); // the raw decode still works
    }

    [Fact]
    public void HeaderPointingAtMissingKeysIsAnError()
    {
        using var temp = new TempDirectory();
        string rec = Path.Combine(temp.Path, "train.rec");
        using (var writer = new RecordIoWriter(rec))
        {
            writer.Write(0, ImageRecord.Pack(default, [5f, 5f], []));
            writer.Write(1, ImageRecord.Pack(new RecordIoHeader(0, 0, 1, 0), [], ImageEncoder.EncodePng(TestImages.Noise(112, 112, 3, 0))));
        }
        var e = Assert.Throws<InvalidDataException>(() => new RecordIoTrainingSet(rec));
        Assert.Contains("key 2", e.Message);
    }

    [Fact]
    public void NonIntegerLabelsAreRejected()
    {
        using var temp = new TempDirectory();
        string rec = Path.Combine(temp.Path, "train.rec");
        byte[] png = ImageEncoder.EncodePng(TestImages.Noise(112, 112, 3, 0));
        using (var writer = new RecordIoWriter(rec))
        {
            writer.Write(0, ImageRecord.Pack(new RecordIoHeader(0, 2, 0, 0), [], png));
            writer.Write(1, ImageRecord.Pack(new RecordIoHeader(0, 1.5f, 1, 0), [], png));
        }
        var e = Assert.Throws<InvalidDataException>(() => new RecordIoTrainingSet(rec));
        Assert.Contains("record 1", e.Message);
        Assert.Contains("1.5", e.Message);
    }

    private static void WriteSmallSet(string folder)
    {
        using var writer = RecordIoDatasetWriter.CreateInFolder(folder);
        for (int i = 0; i < 4; i++) writer.AddImage(i % 2, TestImages.Noise(112, 112, 3, i), ImageFormat.Png);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
