using System.Buffers;

namespace PocketNet.Data.RecordIO;

/// <summary>A record's bytes in a pooled buffer; dispose to hand the buffer back (then the span is dead).</summary>
public struct RentedRecord : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal RentedRecord(byte[] buffer, int length) => (_buffer, _length) = (buffer, length);

    public readonly ReadOnlySpan<byte> Span => _buffer is null
        ? throw new ObjectDisposedException(nameof(RentedRecord))
        : _buffer.AsSpan(0, _length);

    public readonly int Length => _length;

    public void Dispose()
    {
        if (_buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        _buffer = null;
    }
}
