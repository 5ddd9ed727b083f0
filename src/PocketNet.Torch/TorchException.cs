using System.Runtime.InteropServices;
using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>An error raised inside libtorch (shape mismatch, wrong device, bad dtype...), carrying its message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    internal static TorchException FromNative()
    {
        string message = Marshal.PtrToStringUTF8(NativeMethods.pn_last_error()) ?? "libtorch reported a failure without a message";
        NativeMethods.pn_clear_error();
        return new TorchException(message.Trim());
    }
}
