using PocketNet.Torch;

namespace PocketNet.Bench.Support;

/// <summary>The libtorch our engine loaded: which one the numbers of a comparison with PyTorch were measured on.</summary>
public sealed record LibtorchInfo(string Version, string LibraryPath, bool Mkldnn)
{
    public static LibtorchInfo Collect() => new(Engine.Version, Engine.LibraryPath, Engine.HasMkldnn);
}
