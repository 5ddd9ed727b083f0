namespace PocketNet.Models.EdgeFace;

/// <summary>
/// The shape of an EdgeFace network (George et al., "EdgeFace: Efficient Face Recognition Model for Edge Devices",
/// IEEE T-BIOM 2024; official code otroshi/edgeface): an EdgeNeXt backbone of four stages with a 512-d embedding
/// head, its linear layers optionally replaced by low-rank pairs of rank max(2, ⌊γ·min(in, out)⌋).
/// </summary>
/// <param name="Widths">Channels of the four stages.</param>
/// <param name="Depths">Blocks per stage; the last block of stages 1 to 3 is an SDTA encoder, the rest conv encoders.</param>
/// <param name="Heads">Attention heads of the SDTA encoders.</param>
/// <param name="RankRatio">γ of the low-rank linear layers; null keeps full-rank nn.Linear layers.</param>
public sealed record EdgeFaceVariant(int[] Widths, int[] Depths, int Heads, double? RankRatio)
{
    /// <summary>EdgeNeXt's depthwise kernel per stage (conv encoders).</summary>
    public static readonly IReadOnlyList<int> KernelSizes = [3, 5, 7, 9];

    /// <summary>EdgeNeXt's number of channel groups per stage in the SDTA encoder's split depthwise convolutions.</summary>
    public static readonly IReadOnlyList<int> Splits = [2, 2, 3, 4];

    /// <summary>Only stage 1's SDTA encoder adds the Fourier positional encoding.</summary>
    public static readonly IReadOnlyList<bool> PositionalEncoding = [false, true, false, false];

    /// <summary>EdgeFace-XXS: EdgeNeXt-XX-Small, full-rank linear layers (official name edgeface_xxs).</summary>
    public static EdgeFaceVariant ExtraExtraSmall { get; } = new([24, 48, 88, 168], [2, 2, 6, 2], 4, null);

    /// <summary>EdgeFace-XS (γ = 0.6): EdgeNeXt-X-Small with low-rank linear layers (official name edgeface_xs_gamma_06).</summary>
    public static EdgeFaceVariant ExtraSmall { get; } = new([32, 64, 100, 192], [3, 3, 9, 3], 4, 0.6);

    /// <summary>EdgeFace-S (γ = 0.5): EdgeNeXt-Small with low-rank linear layers (official name edgeface_s_gamma_05).</summary>
    public static EdgeFaceVariant Small { get; } = new([48, 96, 160, 304], [3, 3, 9, 3], 8, 0.5);

    /// <summary>Throws when the shape cannot be built (four stages, widths divisible by the heads...).</summary>
    public void Validate()
    {
        if (Widths is not { Length: 4 } || Depths is not { Length: 4 })
            throw new ArgumentException("an EdgeFace variant has four stages: four widths and four depths");
        if (Widths.Any(w => w < 1) || Depths.Any(d => d < 1))
            throw new ArgumentException("EdgeFace widths and depths must be positive");
        if (Heads < 1 || Widths.Skip(1).Any(w => w % Heads != 0))
            throw new ArgumentException($"the widths of stages 1-3 ({string.Join(", ", Widths.Skip(1))}) must divide into {Heads} heads");
        for (int stage = 1; stage < 4; stage++)
        {
            int groups = Splits[stage], width = (Widths[stage] + groups - 1) / groups;
            if (width * (groups - 1) >= Widths[stage])
                throw new ArgumentException($"stage {stage}'s {Widths[stage]} channels do not cut into {groups} groups of {width} (as torch.chunk cuts them)");
        }
        if (RankRatio is { } gamma && !(gamma > 0 && gamma <= 1))
            throw new ArgumentException($"the rank ratio must be in (0, 1], not {gamma}");
    }

    // Arrays compare by content, so two configs of the same variant are equal.
    public bool Equals(EdgeFaceVariant? other) =>
        other is not null && Widths.SequenceEqual(other.Widths) && Depths.SequenceEqual(other.Depths)
        && Heads == other.Heads && RankRatio == other.RankRatio;

    public override int GetHashCode() => HashCode.Combine(string.Join(",", Widths), string.Join(",", Depths), Heads, RankRatio);
}
