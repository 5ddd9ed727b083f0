using System.Runtime.InteropServices;

namespace PocketNet.Torch.Native;

// The Swish-family activations of src/native/pntorch_swish.cpp (MixFaceNets and the compact zoo).
internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial IntPtr pn_silu(IntPtr x);
    [LibraryImport(Library)] internal static partial IntPtr pn_hardswish(IntPtr x);
}
