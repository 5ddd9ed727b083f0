using System.Runtime.InteropServices;
using PocketNet.Torch.Native;

namespace PocketNet.Torch.Distributed;

/// <summary>
/// Averages parameter gradients across ranks in buckets, as PyTorch's DDP: hooks on the parameters' gradient
/// accumulators (native, see pntorch_dist.cpp for why they live there) copy each gradient into its bucket as
/// backward produces it and start the bucket's all-reduce as soon as it is full, so communication overlaps the
/// rest of backward. Per step: <see cref="Prepare"/> before backward, <see cref="Finish"/> after it; then every
/// parameter's .grad holds the average over ranks.
/// </summary>
public sealed unsafe class GradientReducer : IDisposable
{
    /// <summary>PyTorch DDP's default bucket_cap_mb.</summary>
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    private readonly ReducerHandle _handle;

    public GradientReducer(ProcessGroup group, IEnumerable<Tensor> parameters, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        Tensor[] trainable = parameters.Where(p => p.RequiresGrad).ToArray();
        IntPtr[] handles = trainable.Select(p => p.Handle).ToArray();
        bool added = false;
        group.SafeHandle.DangerousAddRef(ref added); // the native reducer points at the group: keep it alive
        IntPtr raw;
        fixed (IntPtr* h = handles) raw = NativeMethods.pn_reducer_new(group.Handle, h, handles.Length, bucketBytes);
        if (raw == IntPtr.Zero)
        {
            group.SafeHandle.DangerousRelease();
            throw TorchException.FromNative();
        }
        _handle = new ReducerHandle(raw, group.SafeHandle);
        BucketCount = NativeMethods.pn_reducer_bucket_count(raw);
    }

    public int BucketCount { get; }

    private IntPtr Handle => !_handle.IsClosed ? _handle.DangerousGetHandle() : throw new ObjectDisposedException(nameof(GradientReducer));

    /// <summary>Arms the hooks for the coming backward.</summary>
    public void Prepare() => NativeMethods.Check(NativeMethods.pn_reducer_prepare(Handle));

    /// <summary>Waits for every bucket and writes the averaged gradients; parameters backward did not reach count as zero.</summary>
    public void Finish() => NativeMethods.Check(NativeMethods.pn_reducer_finish(Handle));

    public void Dispose() => _handle.Dispose();

    private sealed class ReducerHandle(IntPtr handle, ProcessGroup.GroupHandle group) : SafeHandle(handle, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.pn_reducer_free(handle);
            group.DangerousRelease();
            return true;
        }
    }
}
