using System.Buffers.Binary;
using PocketNet.Evaluation.Formats;

namespace PocketNet.Evaluation.Tests.Formats;

public class MegaFaceFeatureFileTests
{
    private static byte[] Header(int rows, int cols, int stride, int type)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header, rows);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), cols);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), stride);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), type);
        return header;
    }

    [Fact]
    public void FeatureVectorRoundTripsInTheDevkitLayout()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "a.jpg_algo.bin");
        float[] feature = [0.25f, -1.5f, 3f, float.Epsilon];
        MegaFaceFeatureFile.WriteVector(path, feature);

        // gen_megaface.py's write_bin: struct.pack('4i', len, 1, 4, 5) then the floats.
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(16 + 4 * feature.Length, bytes.Length);
        Assert.Equal(Header(4, 1, 4, 5), bytes[..16]);
        Assert.Equal(-1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(20)));

        Assert.Equal(feature, MegaFaceFeatureFile.ReadVector(path));
        Assert.Equal(feature, MegaFaceFeatureFile.ReadVector(path, 4));
        var matrix = MegaFaceFeatureFile.Read(path);
        Assert.Equal((4, 1), (matrix.Rows, matrix.Columns));
    }

    [Fact]
    public void MatrixRoundTripsRowMajor()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "m.bin");
        float[] data = [1, 2, 3, 4, 5, 6];
        MegaFaceFeatureFile.Write(path, data, 2, 3);
        var matrix = MegaFaceFeatureFile.Read(path);
        Assert.Equal((2, 3), (matrix.Rows, matrix.Columns));
        Assert.Equal(data, matrix.Data);
        Assert.Equal([4f, 5f, 6f], matrix.Row(1).ToArray());

        // Several matrices in one stream (as matio.py's main reads two).
        using var stream = new MemoryStream();
        MegaFaceFeatureFile.WriteMatrix(stream, data, 3, 2);
        MegaFaceFeatureFile.WriteMatrix(stream, [7f], 1, 1);
        stream.Position = 0;
        Assert.Equal(data, MegaFaceFeatureFile.ReadMatrix(stream, "stream").Data);
        Assert.Equal([7f], MegaFaceFeatureFile.ReadMatrix(stream, "stream").Data);
    }

    [Fact]
    public void ReadsFloat64AndPaddedRows()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "d.bin");
        // 2 x 1 doubles with a 12-byte row stride (4 padding bytes per row).
        var bytes = new List<byte>(Header(2, 1, 12, 6));
        foreach (double v in new[] { 0.5, -2.0 })
        {
            var row = new byte[12];
            BinaryPrimitives.WriteDoubleLittleEndian(row, v);
            bytes.AddRange(row);
        }
        File.WriteAllBytes(path, bytes.ToArray());
        Assert.Equal([0.5f, -2f], MegaFaceFeatureFile.ReadVector(path));
    }

    public static TheoryData<string, byte[], string> Malformed() => new()
    {
        { "empty", [], "truncated" },
        { "short header", Header(4, 1, 4, 5)[..10], "truncated" },
        { "bad type", [.. Header(1, 1, 4, 4), 0, 0, 0, 0], "type code 4" },
        { "truncated data", [.. Header(4, 1, 4, 5), 0, 0, 0, 0, 0, 0, 0, 0], "truncated" },
        { "trailing bytes", [.. Header(1, 1, 4, 5), 0, 0, 128, 63, 9, 9], "2 bytes follow" },
        { "stride too small", [.. Header(1, 2, 4, 5), 0, 0, 0, 0], "stride" },
        { "negative size", Header(-1, 1, 4, 5), "negative" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFilesFailWithTheFileNamed(string name, byte[] content, string expected)
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, name.Replace(' ', '_') + ".bin");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<InvalidDataException>(() => MegaFaceFeatureFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void WrongLengthAndMissingFilesFailClearly()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "v.bin");
        MegaFaceFeatureFile.WriteVector(path, [1f, 2f, 3f]);
        var error = Assert.Throws<InvalidDataException>(() => MegaFaceFeatureFile.ReadVector(path, 128));
        Assert.Contains(path, error.Message);
        Assert.Contains("expected 128", error.Message);
        Assert.Throws<InvalidDataException>(() => MegaFaceFeatureFile.ReadVector(path, new float[2]));

        string missing = Path.Combine(folder.Path, "nope.bin");
        var notFound = Assert.Throws<FileNotFoundException>(() => MegaFaceFeatureFile.Read(missing));
        Assert.Contains(missing, notFound.Message);
        Assert.Throws<ArgumentException>(() => MegaFaceFeatureFile.Write(path, [1f, 2f], 3, 1));
    }
}
