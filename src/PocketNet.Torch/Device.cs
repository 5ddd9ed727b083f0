using PocketNet.Torch.Native;

namespace PocketNet.Torch;

public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>Where a tensor lives: the CPU, or one CUDA device.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static readonly Device Cpu = new(DeviceType.Cpu);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>The first CUDA device when libtorch was built with CUDA and sees one, else the CPU.</summary>
    public static Device Default => Engine.CudaDeviceCount > 0 ? Cuda(0) : Cpu;

    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>Parses "cpu", "cuda", "cuda:1" or "auto" (= <see cref="Default"/>).</summary>
    public static Device Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        if (s == "auto") return Default;
        if (s == "cpu") return Cpu;
        if (s == "cuda") return Cuda();
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out int index) && index >= 0)
            return Cuda(index);
        throw new ArgumentException($"'{text}' is not a device; use cpu, cuda, cuda:N or auto", nameof(text));
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
