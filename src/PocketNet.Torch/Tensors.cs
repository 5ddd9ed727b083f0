using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>Tensor factories and combinators (torch.zeros, torch.cat, ...).</summary>
public static unsafe class Tensors
{
    // ---- creation --------------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, Device? device = null) where T : unmanaged
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but {data.Length} were given");
        Device dev = device ?? Device.Cpu;
        fixed (T* p = data)
        fixed (long* s = shape)
            return Tensor.Wrap(NativeMethods.pn_from_data(p, s, shape.Length, (int)ScalarTypeExtensions.Of<T>(), (int)dev.Type, dev.Index));
    }

    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromSpan<T>(data, shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Full([], value, type, device);

    public static Tensor Full(long[] shape, double value, ScalarType type = ScalarType.Float32, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.pn_full(s, shape.Length, value, (int)type, (int)dev.Type, dev.Index));
    }

    public static Tensor Zeros(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) => Full(shape, 0, type, device);

    public static Tensor Ones(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) => Full(shape, 1, type, device);

    public static Tensor ZerosLike(Tensor t) => Full(t.Shape, 0, t.DType, t.Device);

    public static Tensor OnesLike(Tensor t) => Full(t.Shape, 1, t.DType, t.Device);

    /// <summary>Uninitialised memory: only for tensors that are about to be overwritten.</summary>
    public static Tensor Empty(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.pn_empty(s, shape.Length, (int)type, (int)dev.Type, dev.Index));
    }

    public static Tensor Arange(double start, double end, double step = 1, ScalarType type = ScalarType.Int64, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        return Tensor.Wrap(NativeMethods.pn_arange(start, end, step, (int)type, (int)dev.Type, dev.Index));
    }

    /// <summary>Samples of the standard normal distribution.</summary>
    public static Tensor Randn(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) => Random(0, shape, type, device);

    /// <summary>Samples of the uniform distribution on [0, 1).</summary>
    public static Tensor Rand(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) => Random(1, shape, type, device);

    private static Tensor Random(int kind, long[] shape, ScalarType type, Device? device)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.pn_random(kind, s, shape.Length, (int)type, (int)dev.Type, dev.Index));
    }

    /// <summary>Uniform int64 samples in [low, high).</summary>
    public static Tensor RandInt(long low, long high, long[] shape, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.pn_randint(low, high, s, shape.Length, (int)dev.Type, dev.Index));
    }

    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    public static Tensor RandPerm(long n, Device? device = null)
    {
        Device dev = device ?? Device.Cpu;
        return Tensor.Wrap(NativeMethods.pn_randperm(n, (int)dev.Type, dev.Index));
    }

    // ---- combinators -----------------------------------------------------------------------------

    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        if (tensors.Count == 0) throw new ArgumentException("nothing to join: the list of tensors is empty", nameof(tensors));
        IntPtr* handles = stackalloc IntPtr[tensors.Count];
        for (int i = 0; i < tensors.Count; i++) handles[i] = tensors[i].Handle;
        return Tensor.Wrap(NativeMethods.pn_cat(handles, tensors.Count, dim, stack ? 1 : 0));
    }

    /// <summary>Element-wise choice: <paramref name="a"/> where <paramref name="condition"/> holds, else <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.Wrap(NativeMethods.pn_where(condition.Handle, a.Handle, b.Handle));
}
