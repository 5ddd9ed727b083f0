using PocketNet.Models.Registry;

namespace PocketNet.Application.Models;

/// <summary>
/// A network's size: trainable parameters, and the cost of one 112x112 image as FLOPs (counted as the PocketNet paper
/// counts them) and as MACs (multiply-accumulates of convolutions and linear layers; see FlopCounter).
/// </summary>
public sealed record ModelSummary(string Name, string Description, ModelConfig Config, long Parameters, long Flops, bool IsTeacher)
{
    public long Macs { get; init; }
    public double MegaFlops => Flops / 1e6;
    public double MegaMacs => Macs / 1e6;
    public double MegaParameters => Parameters / 1e6;
}
