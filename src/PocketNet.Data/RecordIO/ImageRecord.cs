using System.Buffers.Binary;

namespace PocketNet.Data.RecordIO;

/// <summary>
/// One image record's contents (mx.recordio.unpack): the header, its optional label array and the payload
/// (for an image record, the encoded JPEG/PNG bytes). A view over the record's bytes, not a copy.
/// </summary>
public readonly ref struct ImageRecord
{
    private readonly ReadOnlySpan<byte> _labels;

    private ImageRecord(RecordIoHeader header, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> payload)
    {
        Header = header;
        _labels = labels;
        Payload = payload;
    }

    public RecordIoHeader Header { get; }

    /// <summary>Number of floats in the label array (the header's flag).</summary>
    public int LabelCount => _labels.Length / sizeof(float);

    /// <summary>Encoded image bytes (empty for the header and identity records).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public float GetLabel(int i) => BinaryPrimitives.ReadSingleLittleEndian(_labels.Slice(i * sizeof(float), sizeof(float)));

    public float[] Labels()
    {
        var labels = new float[LabelCount];
        for (int i = 0; i < labels.Length; i++) labels[i] = GetLabel(i);
        return labels;
    }

    /// <summary>The class label as InsightFace's MXFaceDataset takes it: label[0] when there is a label array, else the header's label.</summary>
    public float PrimaryLabel => LabelCount > 0 ? GetLabel(0) : Header.Label;

    /// <summary>Splits a record; <paramref name="sourceName"/> names it in errors (file and key).</summary>
    public static ImageRecord Parse(ReadOnlySpan<byte> record, string sourceName)
    {
        if (record.Length < RecordIoHeader.Size)
            throw new InvalidDataException($"{sourceName}: record of {record.Length} bytes is shorter than the {RecordIoHeader.Size}-byte image-record header");
        var header = RecordIoHeader.Read(record);
        long labelBytes = (long)header.Flag * sizeof(float);
        if (RecordIoHeader.Size + labelBytes > record.Length)
            throw new InvalidDataException($"{sourceName}: header announces {header.Flag} labels but the record has only {record.Length} bytes");
        int end = RecordIoHeader.Size + (int)labelBytes;
        return new ImageRecord(header, record[RecordIoHeader.Size..end], record[end..]);
    }

    /// <summary>
    /// Builds a record as mx.recordio.pack does: with <paramref name="labels"/> non-empty the flag becomes
    /// their count and the header's label field 0; otherwise the flag is 0 and <paramref name="header"/>'s label stays.
    /// </summary>
    public static byte[] Pack(RecordIoHeader header, ReadOnlySpan<float> labels, ReadOnlySpan<byte> payload)
    {
        if (labels.Length > 0) header = header with { Flag = (uint)labels.Length, Label = 0 };
        else header = header with { Flag = 0 };
        var record = new byte[RecordIoHeader.Size + labels.Length * sizeof(float) + payload.Length];
        header.Write(record);
        for (int i = 0; i < labels.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(record.AsSpan(RecordIoHeader.Size + i * sizeof(float)), labels[i]);
        payload.CopyTo(record.AsSpan(RecordIoHeader.Size + labels.Length * sizeof(float)));
        return record;
    }
}
