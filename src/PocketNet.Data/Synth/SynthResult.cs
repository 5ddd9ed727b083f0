namespace PocketNet.Data.Synth;

/// <summary>What <see cref="SynthFaces.Generate"/> wrote (paths are absolute; parts not generated are null / 0).</summary>
public sealed record SynthResult
{
    public required string OutputFolder { get; init; }
    public required int Seed { get; init; }
    public string? TrainFolder { get; init; }
    public int TrainImages { get; init; }
    public int TrainIdentities { get; init; }

    /// <summary>Pair set name (synth_lfw, synth_cfp_fp, synth_agedb_30) → .bin path.</summary>
    public IReadOnlyDictionary<string, string> PairSets { get; init; } = new Dictionary<string, string>();
    public int PairsPerSet { get; init; }

    public string? IjbFolder { get; init; }
    public int IjbImages { get; init; }
    public int IjbTemplates { get; init; }
    public int IjbMedia { get; init; }
    public int IjbGenuinePairs { get; init; }
    public int IjbImpostorPairs { get; init; }

    public string? MegaFaceFolder { get; init; }
    public int MegaFaceProbes { get; init; }
    public int MegaFaceProbeIdentities { get; init; }
    public int MegaFaceDistractors { get; init; }

    /// <summary>Images rendered in total.</summary>
    public int TotalImages { get; init; }
}
