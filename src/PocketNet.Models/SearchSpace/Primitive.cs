namespace PocketNet.Models.SearchSpace;

/// <summary>The eight candidate operations of PocketNet's search space, in the reference's order.</summary>
public enum Primitive
{
    MaxPool3x3,
    AvgPool3x3,
    SkipConnect,
    DwConv3x3,
    DwConv5x5,
    DwConv7x7,
    DwConv1x1,
    None,
}

public static class Primitives
{
    /// <summary>All primitives in the order the search supernet mixes them (the reference's PRIMITIVES list).</summary>
    public static IReadOnlyList<Primitive> All { get; } = Enum.GetValues<Primitive>();

    private static readonly Dictionary<Primitive, string> Names = new()
    {
        [Primitive.MaxPool3x3] = "max_pool_3x3",
        [Primitive.AvgPool3x3] = "avg_pool_3x3",
        [Primitive.SkipConnect] = "skip_connect",
        [Primitive.DwConv3x3] = "dw_conv_3x3",
        [Primitive.DwConv5x5] = "dw_conv_5x5",
        [Primitive.DwConv7x7] = "dw_conv_7x7",
        [Primitive.DwConv1x1] = "dw_conv_1x1",
        [Primitive.None] = "none",
    };

    /// <summary>The reference's name of a primitive, e.g. "dw_conv_3x3".</summary>
    public static string Name(this Primitive primitive) => Names[primitive];

    public static Primitive Parse(string name) =>
        Names.FirstOrDefault(kv => kv.Value == name) is { Value: not null } match
            ? match.Key
            : throw new FormatException($"'{name}' is not a primitive of the search space ({string.Join(", ", Names.Values)})");

    /// <summary>Kernel size of a depthwise-convolution primitive.</summary>
    public static int KernelSize(this Primitive primitive) => primitive switch
    {
        Primitive.DwConv1x1 => 1,
        Primitive.DwConv3x3 => 3,
        Primitive.DwConv5x5 => 5,
        Primitive.DwConv7x7 => 7,
        _ => throw new ArgumentException($"{primitive.Name()} is not a convolution"),
    };
}
