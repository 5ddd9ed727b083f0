using PocketNet.Models.Registry;

namespace PocketNet.Application.Models;

/// <summary>A network's size: trainable parameters and FLOPs of one 112x112 image (counted as the paper counts them).</summary>
public sealed record ModelSummary(string Name, string Description, ModelConfig Config, long Parameters, long Flops, bool IsTeacher)
{
    public double MegaFlops => Flops / 1e6;
    public double MegaParameters => Parameters / 1e6;
}
