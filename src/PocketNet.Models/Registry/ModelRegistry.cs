using PocketNet.Models.Baselines;
using PocketNet.Models.Cells;
using PocketNet.Models.EdgeFace;
using PocketNet.Models.GhostFaceNets;
using PocketNet.Models.MixFaceNets;
using PocketNet.Models.SearchSpace;
using PocketNet.Models.ShuffleFaceNets;
using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Registry;

/// <summary>A named network the registry offers.</summary>
public sealed record ModelEntry(string Name, string Description, ModelConfig Config, bool IsTeacher);

/// <summary>
/// The networks of the portal by name: the four PocketNet variants, MobileFaceNet, the iResNet
/// teachers, the compact networks PocketNet is compared with (EdgeFace, GhostFaceNetV1, ShuffleFaceNet, MixFaceNets), and any
/// genotype (a NAS result) with width, depth and embedding size as options.
/// </summary>
public static class ModelRegistry
{
    public static IReadOnlyList<ModelEntry> Entries { get; } =
    [
        PocketNet("pocketnet-s-128", 16, 18, 128),
        PocketNet("pocketnet-s-256", 16, 18, 256),
        PocketNet("pocketnet-m-128", 32, 9, 128),
        PocketNet("pocketnet-m-256", 32, 9, 256),
        new("mobilefacenet", "MobileFaceNet baseline (Chen et al. 2018), as in the PocketNet reference",
            new ModelConfig { Architecture = Architecture.MobileFaceNet, EmbeddingSize = 128, Name = "mobilefacenet" }, IsTeacher: false),
        IResNetEntry(18), IResNetEntry(34), IResNetEntry(50), IResNetEntry(100),
        // The widths and stem strides of the official README's released GhostFaceNetV1 models; 1.3 is the paper's.
        GhostFaceNetEntry(1.3, 2), GhostFaceNetEntry(1.3, 1), GhostFaceNetEntry(0.5, 2), GhostFaceNetEntry(1, 2),
        GhostFaceNetEntry(1.2, 2), GhostFaceNetEntry(1.4, 2), GhostFaceNetEntry(2, 1),
        ShuffleFaceNetEntry(0.5), ShuffleFaceNetEntry(1.0), ShuffleFaceNetEntry(1.5), ShuffleFaceNetEntry(2.0),
        EdgeFaceEntry("edgeface-xxs", "EdgeFace-XXS (George et al. 2024): EdgeNeXt-XX-Small with a 512-d embedding", EdgeFaceVariant.ExtraExtraSmall),
        EdgeFaceEntry("edgeface-xs", "EdgeFace-XS (γ = 0.6): EdgeNeXt-X-Small with low-rank linear layers, EFaR-2023's under-2M winner", EdgeFaceVariant.ExtraSmall),
        EdgeFaceEntry("edgeface-s", "EdgeFace-S (γ = 0.5): EdgeNeXt-Small with low-rank linear layers", EdgeFaceVariant.Small),
        // MixFaceNets (Boutros et al., IJCB 2021; official code fdbtrs/mixfacenets)
        MixFaceNetEntry(MixFaceNetSize.XS, shuffle: false), MixFaceNetEntry(MixFaceNetSize.S, shuffle: false),
        MixFaceNetEntry(MixFaceNetSize.M, shuffle: false),
        MixFaceNetEntry(MixFaceNetSize.XS, shuffle: true), MixFaceNetEntry(MixFaceNetSize.S, shuffle: true),
        MixFaceNetEntry(MixFaceNetSize.M, shuffle: true),
    ];

    /// <summary>
    /// The configuration behind a registry name; <paramref name="embeddingSize"/> overrides the entry's
    /// (teachers take any size, e.g. iresnet100 at 128 to distil PocketNetS-128).
    /// </summary>
    public static ModelConfig Resolve(string name, int? embeddingSize = null)
    {
        ModelEntry entry = Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", Entries.Select(e => e.Name))} (or a genotype with --genotype)");
        return embeddingSize is { } size && size != entry.Config.EmbeddingSize
            ? entry.Config with { EmbeddingSize = size, Name = $"{entry.Name}@{size}" }
            : entry.Config;
    }

    /// <summary>A cell network of any genotype (a NAS result).</summary>
    public static ModelConfig ForGenotype(Genotype genotype, int channels, int cells, int embeddingSize, string? name = null) => new()
    {
        Architecture = Architecture.CellNetwork,
        Channels = channels,
        Cells = cells,
        EmbeddingSize = embeddingSize,
        Genotype = genotype.ToString(),
        Name = name,
    };

    /// <summary>Builds a freshly initialised network (initialisation draws from the global generator: seed first).</summary>
    public static Module<Tensor, Tensor> Create(ModelConfig config) => config.Architecture switch
    {
        Architecture.CellNetwork => new CellNetwork(config.ParsedGenotype(),
            config.Channels ?? throw Missing(config, "channels"), config.Cells ?? throw Missing(config, "cells"), config.EmbeddingSize),
        Architecture.MobileFaceNet => new MobileFaceNet(config.EmbeddingSize),
        Architecture.IResNet => IResNet.Create(config.Depth ?? throw Missing(config, "depth"), config.EmbeddingSize),
        Architecture.GhostFaceNetV1 => new GhostFaceNetV1(config.Width ?? throw Missing(config, "width"),
            config.StemStride ?? throw Missing(config, "stem_stride"), config.EmbeddingSize),
        Architecture.ShuffleFaceNet => new ShuffleFaceNet(config.Width ?? throw Missing(config, "width"), config.EmbeddingSize),
        Architecture.EdgeFace => new EdgeFaceNetwork(config.EdgeFace ?? throw Missing(config, "edge_face"), config.EmbeddingSize),
        Architecture.MixFaceNet or Architecture.ShuffleMixFaceNet => new MixFaceNet(
            config.MixFaceNetSize ?? throw Missing(config, "mix_face_net_size"), config.Architecture == Architecture.ShuffleMixFaceNet,
            config.EmbeddingSize),
        _ => throw new ArgumentException($"unknown architecture {config.Architecture}"),
    };

    private static ModelEntry PocketNet(string name, int channels, int cells, int embedding) =>
        new(name, $"PocketNet{(channels == 16 ? "S" : "M")}-{embedding}: {cells} cells of the DARTS genotype, C = {channels}",
            ForGenotype(Genotype.PocketNet, channels, cells, embedding, name), IsTeacher: false);

    private static ModelEntry IResNetEntry(int depth) =>
        new($"iresnet{depth}", $"iResNet-{depth} (ArcFace's improved ResNet), a teacher for distillation",
            new ModelConfig { Architecture = Architecture.IResNet, Depth = depth, EmbeddingSize = 512, Name = $"iresnet{depth}" }, IsTeacher: true);

    private static ModelEntry GhostFaceNetEntry(double width, int stemStride)
    {
        string name = FormattableString.Invariant($"ghostfacenet-v1-{width}-{stemStride}");
        return new(name, FormattableString.Invariant(
                $"GhostFaceNetV1-{width}-{stemStride} (Alansari et al. 2023): GhostNetV1 at width {width}, stem stride {stemStride}, PReLU, modified GDC head"),
            new ModelConfig { Architecture = Architecture.GhostFaceNetV1, Width = width, StemStride = stemStride, EmbeddingSize = 512, Name = name },
            IsTeacher: false);
    }

    private static ModelEntry ShuffleFaceNetEntry(double complexity)
    {
        string name = FormattableString.Invariant($"shufflefacenet-{complexity:0.0}x");
        return new(name, FormattableString.Invariant(
                $"ShuffleFaceNet {complexity:0.0}x (Martínez-Díaz et al. 2019): ShuffleNetV2 {complexity:0.0}x with PReLU and a global depthwise head"),
            new ModelConfig { Architecture = Architecture.ShuffleFaceNet, Width = complexity, EmbeddingSize = 128, Name = name },
            IsTeacher: false);
    }
    private static ModelEntry EdgeFaceEntry(string name, string description, EdgeFaceVariant variant) =>
        new(name, description, new ModelConfig
        {
            Architecture = Architecture.EdgeFace, EdgeFace = variant, EmbeddingSize = EdgeFaceNetwork.DefaultEmbeddingSize, Name = name,
        }, IsTeacher: false);

    private static ModelEntry MixFaceNetEntry(MixFaceNetSize size, bool shuffle)
    {
        string family = shuffle ? "ShuffleMixFaceNet" : "MixFaceNet";
        string name = $"{family.ToLowerInvariant()}-{size.ToString().ToLowerInvariant()}";
        return new(name, $"{family}-{size} (Boutros et al. 2021): MixConv bottlenecks with squeeze-excitation" +
                         (shuffle ? " and channel shuffle" : ""),
            new ModelConfig
            {
                Architecture = shuffle ? Architecture.ShuffleMixFaceNet : Architecture.MixFaceNet,
                MixFaceNetSize = size, EmbeddingSize = 512, Name = name,
            }, IsTeacher: false);
    }

    private static ArgumentException Missing(ModelConfig config, string field) =>
        new($"model configuration of {config.Architecture} lacks '{field}'");
}
