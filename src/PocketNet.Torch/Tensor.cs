using System.Runtime.InteropServices;
using System.Text;
using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>
/// A handle on one libtorch tensor. Handles are released deterministically: by <see cref="Dispose"/>,
/// or by the <see cref="DisposeScope"/> that was innermost when the tensor was created. There is
/// deliberately no finalizer: a leak shows up in <see cref="LiveCount"/> (and in tests) instead of
/// being hidden until some later garbage collection.
/// </summary>
public sealed unsafe partial class Tensor : IDisposable
{
    private static long _liveCount;
    private IntPtr _handle;

    internal Tensor(IntPtr handle)
    {
        _handle = handle;
        Interlocked.Increment(ref _liveCount);
        DisposeScope.Current?.Attach(this);
    }

    /// <summary>Native tensor handles currently alive in this process.</summary>
    public static long LiveCount => Interlocked.Read(ref _liveCount);

    /// <summary>The scope that will release this tensor, or null when the caller owns it.</summary>
    public DisposeScope? Scope { get; internal set; }

    internal IntPtr Handle =>
        _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Tensor), "the tensor was already disposed");

    public bool IsDisposed => _handle == IntPtr.Zero;

    public void Dispose()
    {
        IntPtr handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle == IntPtr.Zero) return;
        NativeMethods.pn_free(handle);
        Interlocked.Decrement(ref _liveCount);
        Scope = null;
    }

    /// <summary>
    /// Makes this object hold <paramref name="replacement"/>'s native tensor, releasing the one it held,
    /// and empties <paramref name="replacement"/>. Everyone holding this object (a layer's Weight
    /// property, a module's parameter list) then sees the new tensor: this is how a module is moved to
    /// another device or type in place.
    /// </summary>
    internal void ReplaceWith(Tensor replacement)
    {
        if (ReferenceEquals(this, replacement)) return;
        IntPtr handle = Interlocked.Exchange(ref replacement._handle, IntPtr.Zero);
        if (handle == IntPtr.Zero) throw new ObjectDisposedException(nameof(Tensor), "the replacement tensor was already disposed");
        Interlocked.Decrement(ref _liveCount);
        replacement.Scope = null;
        IntPtr old = Interlocked.Exchange(ref _handle, handle);
        if (old != IntPtr.Zero)
        {
            NativeMethods.pn_free(old);
        }
        else
        {
            Interlocked.Increment(ref _liveCount);
        }
    }

    /// <summary>Hands this tensor to the scope enclosing its current one (or to the caller if none).</summary>
    public Tensor MoveToOuterScope()
    {
        DisposeScope? outer = Scope?.Outer;
        Scope = null;
        outer?.Attach(this);
        return this;
    }

    /// <summary>Takes this tensor out of scope ownership: the caller disposes it.</summary>
    public Tensor DetachFromScope()
    {
        Scope = null;
        return this;
    }

    internal static Tensor Wrap(IntPtr handle) => new(NativeMethods.Check(handle));

    // ---- inspection ------------------------------------------------------------------------------

    public int Dim => NativeMethods.pn_dim(Handle);

    public long NumEl => NativeMethods.pn_numel(Handle);

    public ScalarType DType => (ScalarType)NativeMethods.pn_dtype(Handle);

    public bool IsContiguous => NativeMethods.pn_is_contiguous(Handle) != 0;

    public bool IsLeaf => NativeMethods.pn_is_leaf(Handle) != 0;

    public long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            fixed (long* p = shape) NativeMethods.pn_shape(Handle, p);
            return shape;
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        long[] shape = Shape;
        return shape[dim < 0 ? dim + shape.Length : dim];
    }

    public Device Device
    {
        get
        {
            int type, index;
            NativeMethods.pn_device(Handle, &type, &index);
            return new Device((DeviceType)type, index);
        }
    }

    // ---- copying out -----------------------------------------------------------------------------

    /// <summary>All elements, row-major, copied to a new managed array (from any device).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        RequireElementType<T>();
        var result = new T[NumEl];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies all elements, row-major, into <paramref name="destination"/> (exactly NumEl long).</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        RequireElementType<T>();
        fixed (T* p = destination)
            NativeMethods.Check(NativeMethods.pn_copy_to_host(Handle, p, (long)destination.Length * sizeof(T)));
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        double value;
        NativeMethods.Check(NativeMethods.pn_item(Handle, &value));
        return value;
    }

    /// <summary>The value of a one-element integer tensor, without a round trip through double.</summary>
    public long ItemLong()
    {
        long value;
        NativeMethods.Check(NativeMethods.pn_item_long(Handle, &value));
        return value;
    }

    private void RequireElementType<T>() where T : unmanaged
    {
        ScalarType wanted = ScalarTypeExtensions.Of<T>();
        if (DType != wanted)
            throw new InvalidOperationException($"the tensor holds {DType}, not {wanted}; convert it with To({wanted}) first");
    }

    // ---- conversion ------------------------------------------------------------------------------

    public Tensor To(Device device) => To(DType, device);

    public Tensor To(ScalarType type) => To(type, Device);

    public Tensor To(ScalarType type, Device device, bool copy = false) =>
        Wrap(NativeMethods.pn_to(Handle, (int)type, (int)device.Type, device.Index, copy ? 1 : 0));

    public Tensor Cpu() => To(Device.Cpu);

    public Tensor Contiguous() => Wrap(NativeMethods.pn_contiguous(Handle));

    public Tensor Clone() => Wrap(NativeMethods.pn_clone(Handle));

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Wrap(NativeMethods.pn_detach(Handle));

    /// <summary>A second handle on this very tensor (same storage and autograd identity), with its own lifetime.</summary>
    public Tensor Alias() => Wrap(NativeMethods.pn_alias(Handle));

    /// <summary>Copies <paramref name="source"/> into this tensor (broadcasting, converting type and device).</summary>
    public Tensor CopyFrom(Tensor source)
    {
        NativeMethods.Check(NativeMethods.pn_copy_(Handle, source.Handle));
        return this;
    }

    // ---- autograd --------------------------------------------------------------------------------

    public bool RequiresGrad
    {
        get => NativeMethods.pn_requires_grad(Handle) != 0;
        set => NativeMethods.Check(NativeMethods.pn_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent creation.</summary>
    public Tensor RequiresGradient(bool requires = true)
    {
        RequiresGrad = requires;
        return this;
    }

    /// <summary>
    /// The accumulated gradient as a new handle (disposed by the caller or its scope), or null when
    /// backward has not reached this tensor.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            IntPtr g = NativeMethods.pn_grad(Handle);
            if (g == IntPtr.Zero)
            {
                if (NativeMethods.pn_last_error() != IntPtr.Zero) throw TorchException.FromNative();
                return null;
            }
            return new Tensor(g);
        }
        set => NativeMethods.Check(NativeMethods.pn_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        NativeMethods.Check(NativeMethods.pn_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph ? 1 : 0));

    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        var text = new StringBuilder();
        text.Append("Tensor(").Append(DType).Append(", [").Append(string.Join(", ", Shape)).Append("], ").Append(Device);
        if (RequiresGrad) text.Append(", requires_grad");
        return text.Append(')').ToString();
    }
}
