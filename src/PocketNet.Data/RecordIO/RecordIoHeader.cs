using System.Buffers.Binary;

namespace PocketNet.Data.RecordIO;

/// <summary>
/// MXNet's image-record header (mx.recordio.IRHeader, struct format "IfQQ", 24 bytes). When
/// <see cref="Flag"/> &gt; 0 the record carries <see cref="Flag"/> float labels right after the header
/// (and <see cref="Label"/> is unused); otherwise <see cref="Label"/> is the label.
/// </summary>
public readonly record struct RecordIoHeader(uint Flag, float Label, ulong Id, ulong Id2)
{
    public const int Size = 24;

    public static RecordIoHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadSingleLittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Flag);
        BinaryPrimitives.WriteSingleLittleEndian(destination[4..], Label);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Id);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Id2);
    }
}
