using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>Op codes of pn_reduce; the order is the ABI.</summary>
internal enum ReduceOp { Sum, Mean, Amax, Amin, Prod, Norm2, Var, Std }

/// <summary>Reductions. An empty dimension list reduces over every element.</summary>
public sealed unsafe partial class Tensor
{
    private Tensor Reduce(ReduceOp op, long[] dims, bool keepDim)
    {
        fixed (long* p = dims) return Wrap(NativeMethods.pn_reduce(Handle, (int)op, p, dims.Length, keepDim ? 1 : 0));
    }

    public Tensor Sum() => Reduce(ReduceOp.Sum, [], false);
    public Tensor Sum(long dim, bool keepDim = false) => Reduce(ReduceOp.Sum, [dim], keepDim);
    public Tensor Sum(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);
    public Tensor Mean() => Reduce(ReduceOp.Mean, [], false);
    public Tensor Mean(long dim, bool keepDim = false) => Reduce(ReduceOp.Mean, [dim], keepDim);
    public Tensor Mean(long[] dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);
    public Tensor Prod() => Reduce(ReduceOp.Prod, [], false);
    public Tensor Max() => Reduce(ReduceOp.Amax, [], false);
    public Tensor Min() => Reduce(ReduceOp.Amin, [], false);
    public Tensor Amax(long dim, bool keepDim = false) => Reduce(ReduceOp.Amax, [dim], keepDim);
    public Tensor Amin(long dim, bool keepDim = false) => Reduce(ReduceOp.Amin, [dim], keepDim);
    /// <summary>Euclidean norm over all elements or along dim.</summary>
    public Tensor Norm() => Reduce(ReduceOp.Norm2, [], false);
    public Tensor Norm(long dim, bool keepDim = false) => Reduce(ReduceOp.Norm2, [dim], keepDim);
    /// <summary>Unbiased variance (divides by n - 1), as PyTorch's default.</summary>
    public Tensor Var() => Reduce(ReduceOp.Var, [], false);
    public Tensor Var(long dim, bool keepDim = false) => Reduce(ReduceOp.Var, [dim], keepDim);
    public Tensor Std() => Reduce(ReduceOp.Std, [], false);
    public Tensor Std(long dim, bool keepDim = false) => Reduce(ReduceOp.Std, [dim], keepDim);

    /// <summary>Largest values along dim and where they are.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) => Extreme(0, dim, keepDim);

    /// <summary>Smallest values along dim and where they are.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) => Extreme(1, dim, keepDim);

    private (Tensor, Tensor) Extreme(int kind, long dim, bool keepDim)
    {
        IntPtr values, indices;
        NativeMethods.Check(NativeMethods.pn_extreme_dim(Handle, kind, dim, keepDim ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    /// <summary>Index of the largest element of the flattened tensor.</summary>
    public Tensor ArgMax() => Wrap(NativeMethods.pn_arg_extreme(Handle, 0, 0, 0, 0));
    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(NativeMethods.pn_arg_extreme(Handle, 0, dim, 1, keepDim ? 1 : 0));
    public Tensor ArgMin() => Wrap(NativeMethods.pn_arg_extreme(Handle, 1, 0, 0, 0));
    public Tensor ArgMin(long dim, bool keepDim = false) => Wrap(NativeMethods.pn_arg_extreme(Handle, 1, dim, 1, keepDim ? 1 : 0));

    /// <summary>The k largest (or smallest) values along dim, sorted, and their indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        IntPtr values, indices;
        NativeMethods.Check(NativeMethods.pn_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        IntPtr values, indices;
        NativeMethods.Check(NativeMethods.pn_sort(Handle, dim, descending ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public Tensor CumSum(long dim) => Wrap(NativeMethods.pn_cumsum(Handle, dim));

    /// <summary>|this - other| &lt;= atol + rtol * |other| everywhere (shapes must broadcast).</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        int result = NativeMethods.pn_all_close(Handle, other.Handle, rtol, atol);
        NativeMethods.Check(result);
        return result == 1;
    }
}
