using System.Runtime.InteropServices;
using PocketNet.Torch.Native;

namespace PocketNet.Torch.Distributed;

/// <summary>
/// This process's membership of a data-parallel job: libtorch's TCPStore rendezvous and a c10d process group
/// (Gloo on CPU, NCCL on CUDA). Collectives block until every rank took part or the timeout passes; a failure
/// throws a <see cref="TorchException"/> that names this rank, the operation and the peers that stopped
/// responding. Dispose releases the group (sockets, Gloo threads) deterministically.
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    private readonly GroupHandle _handle;

    private ProcessGroup(GroupHandle handle, Rendezvous rendezvous)
    {
        _handle = handle;
        Rendezvous = rendezvous;
    }

    public Rendezvous Rendezvous { get; }
    public int Rank => Rendezvous.Rank;
    public int WorldSize => Rendezvous.WorldSize;
    public string Backend => Rendezvous.Backend;

    /// <summary>True when this libpntorch was built against a CUDA libtorch and so has ProcessGroupNCCL.</summary>
    public static bool HasNccl => NativeMethods.pn_dist_has_nccl() != 0;

    /// <summary>Joins the job; blocks until all <see cref="Rendezvous.WorldSize"/> ranks arrived or the timeout passed.</summary>
    public static ProcessGroup Join(Rendezvous rendezvous)
    {
        ArgumentNullException.ThrowIfNull(rendezvous);
        int timeoutMs = (int)Math.Clamp(rendezvous.Timeout.TotalMilliseconds, 1, int.MaxValue);
        IntPtr raw = NativeMethods.pn_dist_init(rendezvous.Backend, rendezvous.MasterAddress, rendezvous.MasterPort,
            rendezvous.Rank, rendezvous.WorldSize, timeoutMs);
        if (raw == IntPtr.Zero)
        {
            TorchException inner = TorchException.FromNative();
            throw new TorchException($"rank {rendezvous.Rank} of {rendezvous.WorldSize}: rendezvous at " +
                                     $"{rendezvous.MasterAddress}:{rendezvous.MasterPort} failed: {inner.Message}");
        }
        return new ProcessGroup(new GroupHandle(raw), rendezvous);
    }

    internal IntPtr Handle => !_handle.IsClosed ? _handle.DangerousGetHandle() : throw new ObjectDisposedException(nameof(ProcessGroup));

    internal GroupHandle SafeHandle => _handle;

    /// <summary>Combines each tensor across ranks, in place (each tensor is its own collective).</summary>
    public void AllReduce(ReduceOp op, params Tensor[] tensors) =>
        WithHandles(tensors, (h, n) => NativeMethods.pn_dist_all_reduce(Handle, h, n, (int)op));

    /// <summary>Overwrites each tensor with <paramref name="root"/>'s, in place (tensors of one type travel as one flat buffer).</summary>
    public void Broadcast(int root, params Tensor[] tensors) =>
        WithHandles(tensors, (h, n) => NativeMethods.pn_dist_broadcast(Handle, h, n, root));

    /// <summary>Every rank's <paramref name="input"/>, stacked in rank order: shape [WorldSize, ...input.Shape].</summary>
    public Tensor AllGather(Tensor input) => Tensor.Wrap(NativeMethods.pn_dist_all_gather(Handle, input.Handle));

    /// <summary>Returns when every rank has reached its barrier.</summary>
    public void Barrier() => NativeMethods.Check(NativeMethods.pn_dist_barrier(Handle));

    /// <summary>Training-mode batch normalisation over the batches of all ranks (running statistics updated in place).</summary>
    public Tensor SyncBatchNorm(Tensor input, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar, double momentum, double eps) =>
        Tensor.Wrap(NativeMethods.pn_dist_sync_batch_norm(Handle, input.Handle, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero,
            runningMean?.Handle ?? IntPtr.Zero, runningVar?.Handle ?? IntPtr.Zero, momentum, eps));

    private delegate int Collective(IntPtr* handles, int count);

    private static void WithHandles(Tensor[] tensors, Collective collective)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) return;
        IntPtr[] handles = tensors.Select(t => t.Handle).ToArray();
        fixed (IntPtr* h = handles) NativeMethods.Check(collective(h, handles.Length));
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>The native group; released once, by Dispose or (if forgotten) by the finalizer.</summary>
    internal sealed class GroupHandle(IntPtr handle) : SafeHandle(handle, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.pn_dist_free(handle);
            return true;
        }
    }
}
