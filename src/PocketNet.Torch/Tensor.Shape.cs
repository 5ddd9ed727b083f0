using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>Views, reshaping and indexing.</summary>
public sealed unsafe partial class Tensor
{
    public Tensor Reshape(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.pn_reshape(Handle, p, shape.Length));
    }

    /// <summary>A view with a new shape (fails, as in PyTorch, when the strides do not allow one).</summary>
    public Tensor View(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.pn_view(Handle, p, shape.Length));
    }

    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(NativeMethods.pn_flatten(Handle, startDim, endDim));

    public Tensor Permute(params long[] dims)
    {
        fixed (long* p = dims) return Wrap(NativeMethods.pn_permute(Handle, p, dims.Length));
    }

    public Tensor Transpose(long dim0, long dim1) => Wrap(NativeMethods.pn_transpose(Handle, dim0, dim1));

    /// <summary>Elements start, start+step, ... before end along dim (end is clamped to the size).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) =>
        Wrap(NativeMethods.pn_slice(Handle, dim, start, end, step));

    public Tensor Narrow(long dim, long start, long length) => Wrap(NativeMethods.pn_narrow(Handle, dim, start, length));

    /// <summary>The slice at <paramref name="index"/> along dim, with that dimension removed.</summary>
    public Tensor Select(long dim, long index) => Wrap(NativeMethods.pn_select(Handle, dim, index));

    public Tensor Unsqueeze(long dim) => Wrap(NativeMethods.pn_unsqueeze(Handle, dim));

    public Tensor Squeeze() => Wrap(NativeMethods.pn_squeeze(Handle, 0, 1));

    public Tensor Squeeze(long dim) => Wrap(NativeMethods.pn_squeeze(Handle, dim, 0));

    public Tensor Expand(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.pn_expand(Handle, p, shape.Length));
    }

    /// <summary>
    /// A view on this tensor's storage with explicit sizes, strides and storage offset (in elements),
    /// like torch.as_strided; libtorch refuses a view that reaches past the storage.
    /// </summary>
    public Tensor AsStrided(long[] size, long[] stride, long storageOffset = 0)
    {
        if (size.Length != stride.Length)
            throw new ArgumentException($"{size.Length} sizes but {stride.Length} strides were given", nameof(stride));
        fixed (long* p = size)
        fixed (long* s = stride)
            return Wrap(NativeMethods.pn_as_strided(Handle, p, s, size.Length, storageOffset));
    }

    public Tensor Flip(params long[] dims)
    {
        fixed (long* p = dims) return Wrap(NativeMethods.pn_flip(Handle, p, dims.Length));
    }

    /// <summary>
    /// Pads the trailing dimensions with <paramref name="value"/> (torch.nn.functional.pad, constant mode):
    /// <paramref name="pads"/> holds (before, after) pairs, the last dimension first; a negative amount crops.
    /// </summary>
    public Tensor ConstantPad(long[] pads, double value = 0)
    {
        if (pads.Length % 2 != 0) throw new ArgumentException($"pads come in (before, after) pairs; got {pads.Length} values", nameof(pads));
        fixed (long* p = pads) return Wrap(NativeMethods.pn_constant_pad(Handle, p, pads.Length, value));
    }

    /// <summary>Mirrors images left to right (the last dimension, the width of NCHW).</summary>
    public Tensor FlipHorizontal() => Flip(-1);

    public Tensor IndexSelect(long dim, Tensor index) => Wrap(NativeMethods.pn_index_select(Handle, dim, index.Handle));

    public Tensor MaskedSelect(Tensor mask) => Wrap(NativeMethods.pn_masked_select(Handle, mask.Handle));

    public Tensor Gather(long dim, Tensor index) => Wrap(NativeMethods.pn_gather(Handle, dim, index.Handle));

    /// <summary>A copy of this tensor with <paramref name="source"/>'s values written at <paramref name="index"/> along dim.</summary>
    public Tensor Scatter(long dim, Tensor index, Tensor source) =>
        Wrap(NativeMethods.pn_scatter(Handle, dim, index.Handle, source.Handle, 0));

    /// <summary>A copy of this tensor with <paramref name="value"/> written at <paramref name="index"/> along dim.</summary>
    public Tensor Scatter(long dim, Tensor index, double value) =>
        Wrap(NativeMethods.pn_scatter(Handle, dim, index.Handle, IntPtr.Zero, value));

    /// <summary>One-hot encoding of an integer tensor (int64 result, a new last dimension).</summary>
    public Tensor OneHot(long numClasses) => Wrap(NativeMethods.pn_one_hot(Handle, numClasses));
}
