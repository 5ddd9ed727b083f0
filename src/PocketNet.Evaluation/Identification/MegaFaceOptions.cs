namespace PocketNet.Evaluation.Identification;

/// <summary>Settings of <see cref="MegaFaceProtocol"/>; the defaults suit the 1M-distractor challenge.</summary>
public sealed record MegaFaceOptions
{
    /// <summary>FAR targets (fractions) at which TAR is reported; the challenge reports 1e-6.</summary>
    public IReadOnlyList<double> FarTargets { get; init; } = [1e-6];

    /// <summary>Distractors per streamed block (memory: about 3 blocks x Dimension floats).</summary>
    public int BlockSize { get; init; } = 16384;

    /// <summary>Worker threads; default: all processors.</summary>
    public int? Threads { get; init; }

    /// <summary>Bins over cosine [-1, 1] of the impostor-score histogram behind the plotted ROC at larger FAR.</summary>
    public int HistogramBins { get; init; } = 8192;

    /// <summary>Most points in <see cref="MegaFaceResult.Roc"/>.</summary>
    public int MaxRocPoints { get; init; } = 1000;

    /// <summary>
    /// Impostor scores kept beyond the floor(FAR x impostors) + 2 needed by the largest target, so that ties
    /// at the cut do not leave the ROC inexact there.
    /// </summary>
    public int TopImpostorMargin { get; init; } = 1024;
}
