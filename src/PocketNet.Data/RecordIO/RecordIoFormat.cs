namespace PocketNet.Data.RecordIO;

/// <summary>
/// MXNet / dmlc-core RecordIO framing. Each part on disk is: uint32 magic 0xced7230a, uint32 lrecord
/// (upper 3 bits: continuation flag, lower 29 bits: length), the data, zero padding to a multiple of 4.
/// dmlc's writer splits a record wherever the magic occurs at a 4-byte-aligned position inside it: flag 1
/// starts such a record, 2 continues it, 3 ends it (the magic itself is dropped and restored on reading);
/// flag 0 is a whole record. All integers are little-endian.
/// </summary>
public static class RecordIoFormat
{
    public const uint Magic = 0xced7230a;

    /// <summary>Largest length one part can declare (29 bits).</summary>
    public const int MaxPartLength = (1 << 29) - 1;

    public const uint WholeRecord = 0;
    public const uint FirstPart = 1;
    public const uint MiddlePart = 2;
    public const uint LastPart = 3;

    /// <summary>Bytes before each part's data (magic + lrecord).</summary>
    public const int PartHeaderSize = 8;

    public static uint EncodeLRecord(uint continuationFlag, int length)
    {
        if (continuationFlag > 3) throw new ArgumentOutOfRangeException(nameof(continuationFlag));
        if ((uint)length > MaxPartLength) throw new ArgumentOutOfRangeException(nameof(length), length, "a RecordIO part holds less than 2^29 bytes");
        return (continuationFlag << 29) | (uint)length;
    }

    public static (uint ContinuationFlag, int Length) DecodeLRecord(uint lrecord) => (lrecord >> 29, (int)(lrecord & MaxPartLength));

    /// <summary><paramref name="length"/> rounded up to a multiple of 4.</summary>
    public static long Padded(long length) => (length + 3) & ~3L;
}
