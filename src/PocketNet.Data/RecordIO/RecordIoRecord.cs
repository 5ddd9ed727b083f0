namespace PocketNet.Data.RecordIO;

/// <summary>A record met while streaming a .rec file: its position in the file order, its byte offset and its bytes.</summary>
public sealed record RecordIoRecord(long Ordinal, long Offset, byte[] Data);
