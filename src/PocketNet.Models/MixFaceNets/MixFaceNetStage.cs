namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// One row of a MixFaceNet's stage summary (what its model page draws): a stage's units, widths, strides, the
/// depthwise kernel sizes its units mix, expansion factors, and whether they squeeze-excite and shuffle.
/// </summary>
public sealed record MixFaceNetStage(string Name, int Units, long InChannels, long OutChannels, int Stride,
    IReadOnlyList<int> DepthwiseKernels, IReadOnlyList<int> Expansions, bool SqueezeExcitation, MixActivation Activation, bool Shuffle)
{
    /// <summary>Stem, the four MixNet stages and the head of a network of <paramref name="size"/>, in forward order.</summary>
    public static IReadOnlyList<MixFaceNetStage> Of(MixFaceNetSize size, bool shuffle, int embeddingSize)
    {
        MixFaceNetLayout layout = MixFaceNetLayout.Of(size);
        long width = layout.Scaled(layout.StemChannels);
        // the stem's unit shuffles in both families (see MixInitBlock)
        var stages = new List<MixFaceNetStage> { new("stem", 1, 3, width, 2, [3], [1], false, MixActivation.PReLU, true) };
        for (int i = 0; i < layout.Channels.Length; i++)
        {
            int units = layout.Channels[i].Length;
            long outChannels = layout.Scaled(layout.Channels[i][^1]);
            int stride = Enumerable.Range(0, units).Max(j => layout.StrideOf(i, j));
            var kernels = layout.DepthwiseKernels[i].SelectMany(count => Enumerable.Range(0, count).Select(k => 3 + 2 * k)).Distinct().Order().ToList();
            stages.Add(new($"stage{i + 1}", units, width, outChannels, stride, kernels, layout.Expansions[i].Distinct().Order().ToList(),
                layout.SqueezeFactors[i].Any(f => f > 0), i == 0 ? MixActivation.PReLU : MixActivation.Swish, shuffle));
            width = outChannels;
        }
        stages.Add(new("head", 1, width, embeddingSize, 1, [7], [1], false, MixActivation.PReLU, false));
        return stages;
    }
}
