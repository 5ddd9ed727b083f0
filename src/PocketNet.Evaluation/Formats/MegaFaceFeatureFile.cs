using System.Buffers.Binary;

namespace PocketNet.Evaluation.Formats;

/// <summary>
/// The MegaFace devkit's binary matrix file (devkit/scripts/matio.py, and gen_megaface.py's write_bin): a
/// 16-byte header of four little-endian int32 — rows, columns, row stride in bytes, OpenCV type code
/// (5 = CV_32F, 6 = CV_64F) — followed by the rows, each <c>stride</c> bytes, row-major. A face feature is
/// stored as a column: rows = feature length, columns = 1, stride = 4, type 5.
/// Reading checks every header field and the file length and names the file in its errors; float64
/// matrices are read into float32.
/// </summary>
public static class MegaFaceFeatureFile
{
    /// <summary>OpenCV's type code of 32-bit float matrices.</summary>
    public const int CvFloat32 = 5;

    /// <summary>OpenCV's type code of 64-bit float matrices.</summary>
    public const int CvFloat64 = 6;

    /// <summary>Header size in bytes.</summary>
    public const int HeaderBytes = 16;

    /// <summary>Reads the one matrix of <paramref name="path"/>; the file must end right after it.</summary>
    public static FeatureMatrix Read(string path)
    {
        using var stream = OpenRead(path);
        var matrix = ReadMatrix(stream, path);
        long trailing = stream.Length - stream.Position;
        if (trailing != 0)
            throw new InvalidDataException($"MegaFace matrix file {path}: {trailing} bytes follow the {matrix.Rows}x{matrix.Columns} matrix");
        return matrix;
    }

    /// <summary>
    /// Reads a feature file: all rows x columns values (a column vector as the devkit writes features, or a
    /// row vector). With <paramref name="expectedLength"/> the length is checked.
    /// </summary>
    public static float[] ReadVector(string path, int? expectedLength = null)
    {
        var matrix = Read(path);
        if (expectedLength is int length && matrix.Data.Length != length)
            throw new InvalidDataException(
                $"MegaFace feature file {path} holds {matrix.Data.Length} values ({matrix.Rows}x{matrix.Columns}), expected {length}");
        return matrix.Data;
    }

    /// <summary>Reads a feature file into <paramref name="destination"/>, whose length it must match exactly.</summary>
    public static void ReadVector(string path, Span<float> destination)
    {
        float[] values = ReadVector(path, destination.Length);
        values.CopyTo(destination);
    }

    /// <summary>Reads one matrix from <paramref name="stream"/> (several may follow each other); <paramref name="name"/> is used in errors.</summary>
    public static FeatureMatrix ReadMatrix(Stream stream, string name)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        int got = ReadFully(stream, header);
        if (got < HeaderBytes)
            throw new InvalidDataException($"MegaFace matrix file {name} is truncated: {got} of the {HeaderBytes} header bytes");
        int rows = BinaryPrimitives.ReadInt32LittleEndian(header);
        int columns = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int stride = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int type = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);

        int elementBytes = type switch
        {
            CvFloat32 => 4,
            CvFloat64 => 8,
            _ => throw new InvalidDataException(
                $"MegaFace matrix file {name} has OpenCV type code {type}; only {CvFloat32} (CV_32F) and {CvFloat64} (CV_64F) are supported"),
        };
        if (rows < 0 || columns < 0)
            throw new InvalidDataException($"MegaFace matrix file {name} has a negative size {rows}x{columns}");
        if ((long)columns * elementBytes > stride)
            throw new InvalidDataException(
                $"MegaFace matrix file {name}: row stride {stride} bytes is less than {columns} columns x {elementBytes} bytes");
        long values = (long)rows * columns;
        if (values > Array.MaxLength)
            throw new InvalidDataException($"MegaFace matrix file {name}: {rows}x{columns} is too large");
        long dataBytes = (long)rows * stride;
        if (stream.CanSeek && stream.Length - stream.Position < dataBytes)
            throw new InvalidDataException(
                $"MegaFace matrix file {name} is truncated: the {rows}x{columns} header needs {dataBytes} data bytes, {stream.Length - stream.Position} remain");

        var data = new float[values];
        var row = new byte[stride];
        for (int r = 0; r < rows; r++)
        {
            got = ReadFully(stream, row);
            if (got < stride)
                throw new InvalidDataException($"MegaFace matrix file {name} is truncated in row {r} of {rows}");
            var destination = data.AsSpan(r * columns, columns);
            if (type == CvFloat32)
                for (int c = 0; c < columns; c++) destination[c] = BinaryPrimitives.ReadSingleLittleEndian(row.AsSpan(4 * c));
            else
                for (int c = 0; c < columns; c++) destination[c] = (float)BinaryPrimitives.ReadDoubleLittleEndian(row.AsSpan(8 * c));
        }
        return new FeatureMatrix(rows, columns, data);
    }

    /// <summary>Writes a float32 matrix (stride = 4 x columns, type 5), replacing <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, int rows, int columns)
    {
        if (rows < 0 || columns < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"size {rows}x{columns}");
        if ((long)rows * columns != data.Length)
            throw new ArgumentException($"{data.Length} values are not a {rows}x{columns} matrix");
        using var stream = File.Create(path);
        WriteMatrix(stream, data, rows, columns);
    }

    /// <summary>Writes a feature as the devkit does: a column vector (rows = length, columns = 1).</summary>
    public static void WriteVector(string path, ReadOnlySpan<float> feature) => Write(path, feature, feature.Length, 1);

    /// <summary>Appends one float32 matrix to <paramref name="stream"/>.</summary>
    public static void WriteMatrix(Stream stream, ReadOnlySpan<float> data, int rows, int columns)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, rows);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], columns);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], checked(columns * 4));
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], CvFloat32);
        stream.Write(header);
        var buffer = new byte[4 * Math.Min(data.Length, 1 << 16)];
        for (int start = 0; start < data.Length; start += buffer.Length / 4)
        {
            int count = Math.Min(buffer.Length / 4, data.Length - start);
            for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), data[start + i]);
            stream.Write(buffer, 0, 4 * count);
        }
    }

    private static FileStream OpenRead(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"MegaFace matrix file {path} does not exist", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
