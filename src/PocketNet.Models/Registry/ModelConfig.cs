using System.Text.Json.Serialization;
using PocketNet.Models.EdgeFace;
using PocketNet.Models.MixFaceNets;
using PocketNet.Models.SearchSpace;

namespace PocketNet.Models.Registry;

/// <summary>Network families the registry can build.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Architecture>))]
public enum Architecture
{
    /// <summary>A network stacked from a genotype's cells: PocketNet, or any NAS result.</summary>
    CellNetwork,
    MobileFaceNet,
    IResNet,
    GhostFaceNetV1,
    ShuffleFaceNet,

    /// <summary>EdgeFace (otroshi/edgeface): EdgeNeXt with low-rank linear layers.</summary>
    EdgeFace,

    // MixFaceNets (Boutros et al. 2021): sizes in MixFaceNetSize; the Shuffle variant closes each unit with a channel shuffle.
    MixFaceNet,
    ShuffleMixFaceNet,
}

/// <summary>
/// Everything needed to rebuild a network: saved as config.json beside its weights, so a model
/// directory is self-describing. Only the fields of its architecture are set.
/// </summary>
public sealed record ModelConfig
{
    public required Architecture Architecture { get; init; }

    public required int EmbeddingSize { get; init; }

    /// <summary>Registry name it was made from (e.g. pocketnet-s-128), if any.</summary>
    public string? Name { get; init; }

    /// <summary>Cell networks: initial cell width C.</summary>
    public int? Channels { get; init; }

    /// <summary>Cell networks: number of cells.</summary>
    public int? Cells { get; init; }

    /// <summary>Cell networks: the genotype in the reference's text form.</summary>
    public string? Genotype { get; init; }

    /// <summary>iResNet: 18, 34, 50 or 100.</summary>
    public int? Depth { get; init; }

    /// <summary>GhostFaceNets: the width multiplier (1.3 in the paper). ShuffleFaceNet: its complexity, 0.5, 1, 1.5 or 2.</summary>
    public double? Width { get; init; }

    /// <summary>GhostFaceNets: the stride of the first convolution, 1 or 2 (the paper's GhostFaceNetV1-1 and -2).</summary>
    public int? StemStride { get; init; }

    /// <summary>EdgeFace: widths, depths, heads and low-rank ratio of the variant.</summary>
    public EdgeFaceVariant? EdgeFace { get; init; }
    /// <summary>MixFaceNet and ShuffleMixFaceNet: XS, S or M.</summary>
    public MixFaceNetSize? MixFaceNetSize { get; init; }

    public Genotype ParsedGenotype() =>
        Genotype is null ? throw new InvalidOperationException("this model has no genotype") : SearchSpace.Genotype.Parse(Genotype);

    /// <summary>A short description for tables: name, or architecture and its sizes.</summary>
    public string DisplayName => Name ?? Architecture switch
    {
        Architecture.CellNetwork => $"cell network C={Channels} cells={Cells} emb={EmbeddingSize}",
        Architecture.IResNet => $"iresnet{Depth}-{EmbeddingSize}",
        Architecture.GhostFaceNetV1 => $"ghostfacenet-v1-{Width}-{StemStride}-{EmbeddingSize}",
        Architecture.ShuffleFaceNet => $"shufflefacenet-{Width:0.0}x-{EmbeddingSize}",
        Architecture.MixFaceNet or Architecture.ShuffleMixFaceNet => $"{Architecture.ToString().ToLowerInvariant()}-{MixFaceNetSize?.ToString().ToLowerInvariant()}-{EmbeddingSize}",
        _ => $"{Architecture.ToString().ToLowerInvariant()}-{EmbeddingSize}",
    };
}
