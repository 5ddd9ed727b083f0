using System.Runtime.InteropServices;

namespace PocketNet.Torch.Native;

/// <summary>The c10d exports of libpntorch (src/native/pntorch_dist.cpp).</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr pn_dist_init(string backend, string masterAddress, int masterPort, int rank, int worldSize, int timeoutMs);
    [LibraryImport(Library)] internal static partial int pn_dist_has_nccl();
    [LibraryImport(Library)] internal static partial void pn_dist_free(IntPtr group);
    [LibraryImport(Library)] internal static partial int pn_dist_all_reduce(IntPtr group, IntPtr* tensors, int n, int op);
    [LibraryImport(Library)] internal static partial int pn_dist_broadcast(IntPtr group, IntPtr* tensors, int n, int root);
    [LibraryImport(Library)] internal static partial IntPtr pn_dist_all_gather(IntPtr group, IntPtr input);
    [LibraryImport(Library)] internal static partial int pn_dist_barrier(IntPtr group);
    [LibraryImport(Library)] internal static partial IntPtr pn_dist_sync_batch_norm(IntPtr group, IntPtr x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, double momentum, double eps);

    [LibraryImport(Library)] internal static partial IntPtr pn_reducer_new(IntPtr group, IntPtr* parameters, int n, long bucketBytes);
    [LibraryImport(Library)] internal static partial void pn_reducer_free(IntPtr reducer);
    [LibraryImport(Library)] internal static partial int pn_reducer_bucket_count(IntPtr reducer);
    [LibraryImport(Library)] internal static partial int pn_reducer_prepare(IntPtr reducer);
    [LibraryImport(Library)] internal static partial int pn_reducer_finish(IntPtr reducer);
}
