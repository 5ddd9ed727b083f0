namespace PocketNet.Data.Imaging;

/// <summary>
/// Images <see cref="Start"/> .. Start + Count - 1 of a source, decoded: <see cref="Data"/> holds Count x 3 x
/// ImageSize x ImageSize floats back to back (the buffer may be longer). The buffer belongs to the reader and is
/// reused: it is valid until the enumeration moves on (the next MoveNext); copy what must outlive that.
/// </summary>
public sealed record ImageBatch(int Start, int Count, int ImageSize, float[] Data)
{
    /// <summary>Floats per image.</summary>
    public int ImageLength => 3 * ImageSize * ImageSize;

    /// <summary>The batch's images as one span.</summary>
    public ReadOnlySpan<float> Span => Data.AsSpan(0, Count * ImageLength);

    /// <summary>Image <paramref name="i"/> of the batch (0-based within the batch).</summary>
    public ReadOnlySpan<float> Image(int i)
    {
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), i, $"the batch holds {Count} images");
        return Data.AsSpan(i * ImageLength, ImageLength);
    }
}
