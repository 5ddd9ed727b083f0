using System.Runtime.InteropServices;
using PocketNet.Torch.Native;

namespace PocketNet.Torch.Serialization;

/// <summary>
/// A reusable block of unmanaged memory that carries one tensor's raw bytes between a stream and
/// libtorch. Unmanaged so that a tensor of several GiB needs neither a managed array past the 2 GiB
/// limit nor a trip through the large-object heap, and pinned by nature for the native copy.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    // Spans address at most int.MaxValue bytes; streams are fed in pieces well below that.
    private const int ChunkBytes = 1 << 26;

    private byte* _data;
    private long _capacity;

    static NativeBuffer()
    {
        // Every format handled here stores little-endian data, and tensors are filled by memcpy.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("checkpoint I/O needs a little-endian machine");
    }

    public byte* Pointer => _data;

    /// <summary>Makes room for <paramref name="bytes"/> bytes (the contents are not kept).</summary>
    public void Reserve(long bytes)
    {
        if (bytes <= _capacity) return;
        Release();
        _data = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes, 1));
        _capacity = bytes;
    }

    /// <summary>Fills the first <paramref name="bytes"/> bytes from <paramref name="stream"/>; false when it ends first.</summary>
    public bool TryFill(Stream stream, long bytes)
    {
        Reserve(bytes);
        long done = 0;
        while (done < bytes)
        {
            int want = (int)Math.Min(ChunkBytes, bytes - done);
            int got = stream.Read(new Span<byte>(_data + done, want));
            if (got == 0) return false;
            done += got;
        }
        return true;
    }

    /// <summary>Writes the first <paramref name="bytes"/> bytes to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream, long bytes)
    {
        for (long done = 0; done < bytes;)
        {
            int count = (int)Math.Min(ChunkBytes, bytes - done);
            stream.Write(new ReadOnlySpan<byte>(_data + done, count));
            done += count;
        }
    }

    /// <summary>A new CPU-or-device tensor holding a copy of the first bytes, read as <paramref name="type"/> elements.</summary>
    public Tensor ToTensor(ScalarType type, long[] shape, Device device)
    {
        fixed (long* s = shape)
            return Tensor.Wrap(NativeMethods.pn_from_data(_data, s, shape.Length, (int)type, (int)device.Type, device.Index));
    }

    /// <summary>Copies <paramref name="tensor"/>'s elements (row-major, from any device) into this buffer; returns the byte count.</summary>
    public long CopyFrom(Tensor tensor)
    {
        long bytes = checked(tensor.NumEl * tensor.DType.ElementSize());
        Reserve(bytes);
        NativeMethods.Check(NativeMethods.pn_copy_to_host(tensor.Handle, _data, bytes));
        return bytes;
    }

    private void Release()
    {
        if (_data != null) NativeMemory.Free(_data);
        _data = null;
        _capacity = 0;
    }

    public void Dispose() => Release();
}
