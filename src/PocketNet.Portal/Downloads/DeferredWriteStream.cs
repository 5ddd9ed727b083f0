namespace PocketNet.Portal.Downloads;

/// <summary>
/// Lets a writer that sometimes writes synchronously write to the response body, which allows only asynchronous
/// writes: synchronous writes are kept in a small buffer that <see cref="DrainAsync"/> (and the next asynchronous
/// write) sends on. ZipArchive needs it: an entry's DisposeAsync finishes its deflate stream with a synchronous write.
/// What is kept between drains is what one such write produced (a deflate block's end), so memory stays small.
/// </summary>
public sealed class DeferredWriteStream(Stream target) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _written += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellation = default)
    {
        await DrainAsync(cancellation);
        await target.WriteAsync(buffer, cancellation);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellation) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellation).AsTask();

    /// <summary>Sends what synchronous writes left behind.</summary>
    public async Task DrainAsync(CancellationToken cancellation)
    {
        if (_pending.Length == 0) return;
        await target.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellation);
        _pending.SetLength(0);
    }

    public override async Task FlushAsync(CancellationToken cancellation)
    {
        await DrainAsync(cancellation);
        await target.FlushAsync(cancellation);
    }

    // Flushing happens when the archive is done; the caller drains before it returns.
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
