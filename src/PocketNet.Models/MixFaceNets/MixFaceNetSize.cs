using System.Text.Json.Serialization;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// The three published sizes (Boutros et al. 2021; official code fdbtrs/mixfacenets, backbones/mixnetm.py with
/// config.py): XS is MixNet-S at width 0.5 with a 512-channel head, S is MixNet-S at width 1 and M is MixNet-M at
/// width 1, both with a 1024-channel head. All embed in 512 dimensions.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<MixFaceNetSize>))]
public enum MixFaceNetSize
{
    XS,
    S,
    M,
}

/// <summary>The MixNet tables a size is built from.</summary>
public sealed record MixFaceNetLayout(
    int StemChannels,
    int[][] Channels,
    int[][] ExpansionKernels,
    int[][] DepthwiseKernels,
    int[][] ProjectionKernels,
    int[][] Expansions,
    int[][] SqueezeFactors,
    double WidthScale,
    int HeadChannels)
{
    public static MixFaceNetLayout Of(MixFaceNetSize size) => size switch
    {
        MixFaceNetSize.XS => MixNetS(0.5, 512),
        MixFaceNetSize.S => MixNetS(1.0, 1024),
        MixFaceNetSize.M => MixNetM(1.0, 1024),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "unknown MixFaceNet size"),
    };

    // MixNet-S (Tan and Le 2019) as the official mixnet_s lists it, per stage and unit.
    private static MixFaceNetLayout MixNetS(double width, int head) => new(16,
        Channels: [[24, 24], [40, 40, 40, 40], [80, 80, 80], [120, 120, 120, 200, 200, 200]],
        ExpansionKernels: [[2, 2], [1, 2, 2, 2], [1, 1, 1], [2, 2, 2, 1, 1, 1]],
        DepthwiseKernels: [[1, 1], [3, 2, 2, 2], [3, 2, 2], [3, 4, 4, 5, 4, 4]],
        ProjectionKernels: [[2, 2], [1, 2, 2, 2], [2, 2, 2], [2, 2, 2, 1, 2, 2]],
        Expansions: [[6, 3], [6, 6, 6, 6], [6, 6, 6], [6, 3, 3, 6, 6, 6]],
        SqueezeFactors: [[0, 0], [2, 2, 2, 2], [4, 4, 4], [2, 2, 2, 2, 2, 2]],
        width, head);

    // MixNet-M as the official mixnet_m lists it.
    private static MixFaceNetLayout MixNetM(double width, int head) => new(24,
        Channels: [[32, 32], [40, 40, 40, 40], [80, 80, 80, 80], [120, 120, 120, 120, 200, 200, 200, 200]],
        ExpansionKernels: [[2, 2], [1, 2, 2, 2], [1, 2, 2, 2], [1, 2, 2, 2, 1, 1, 1, 1]],
        DepthwiseKernels: [[3, 1], [4, 2, 2, 2], [3, 4, 4, 4], [1, 4, 4, 4, 4, 4, 4, 4]],
        ProjectionKernels: [[2, 2], [1, 2, 2, 2], [1, 2, 2, 2], [1, 2, 2, 2, 1, 2, 2, 2]],
        Expansions: [[6, 3], [6, 6, 6, 6], [6, 6, 6, 6], [6, 3, 3, 3, 6, 6, 6, 6]],
        SqueezeFactors: [[0, 0], [2, 2, 2, 2], [4, 4, 4, 4], [2, 2, 2, 2, 2, 2, 2, 2]],
        width, head);

    /// <summary>A scaled width rounded as <see cref="ChannelRounding"/> does, to multiples of 8 (MixNet's divisor).</summary>
    public static int RoundChannels(double channels, int divisor = 8) => checked((int)ChannelRounding.MakeDivisible(channels, divisor));

    public int Scaled(int channels) => WidthScale == 1.0 ? channels : RoundChannels(channels * WidthScale);

    /// <summary>
    /// The stride of unit <paramref name="unit"/> of stage <paramref name="stage"/> (both from 0): the first unit of
    /// stages 2 and 3 halves the map, and in stage 4 the middle unit does (where the width goes from 120 to 200).
    /// </summary>
    public int StrideOf(int stage, int unit) =>
        (unit == 0 && stage != 3 && stage != 0) || (stage == 3 && unit == Channels[stage].Length / 2) ? 2 : 1;
}
