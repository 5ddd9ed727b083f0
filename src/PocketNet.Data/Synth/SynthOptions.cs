namespace PocketNet.Data.Synth;

/// <summary>Which parts of the synthetic data <see cref="SynthFaces.Generate"/> writes.</summary>
[Flags]
public enum SynthParts
{
    None = 0,

    /// <summary>train/train.rec + train.idx.</summary>
    Train = 1,

    /// <summary>synth_lfw.bin, synth_cfp_fp.bin, synth_agedb_30.bin.</summary>
    PairSets = 2,

    /// <summary>synth_ijb/ in the IJB layout.</summary>
    Ijb = 4,

    /// <summary>synth_megaface/ in the MegaFace test-pack layout.</summary>
    MegaFace = 8,

    All = Train | PairSets | Ijb | MegaFace,
}

/// <summary>
/// What <see cref="SynthFaces.Generate"/> produces. The defaults make a demo set that renders in seconds
/// (about 5,000 images); every count can be raised. Output is a pure function of these options.
/// </summary>
public sealed record SynthOptions
{
    /// <summary>Folder that receives everything (created if needed); run.sh uses data/synth.</summary>
    public required string OutputFolder { get; init; }

    public int Seed { get; init; } = 1;

    public SynthParts Parts { get; init; } = SynthParts.All;

    /// <summary>Training identities (labels 0 .. Identities - 1).</summary>
    public int Identities { get; init; } = 100;

    public int ImagesPerIdentity { get; init; } = 10;

    /// <summary>Pairs per pair set: a multiple of 20, so that each of the 10 folds holds equally many same and different pairs.</summary>
    public int PairCount { get; init; } = 600;

    /// <summary>Identities per pair set (disjoint from training and from the other sets), split over the 10 folds; at least 20.</summary>
    public int PairSetIdentities { get; init; } = 100;

    /// <summary>IJB subjects; each has <see cref="IjbTemplatesPerSubject"/> templates of 1-3 media of 1-3 images.</summary>
    public int IjbSubjects { get; init; } = 20;

    /// <summary>Templates per IJB subject (at least 2, so every subject has genuine pairs).</summary>
    public int IjbTemplatesPerSubject { get; init; } = 3;

    /// <summary>Impostor template pairs (capped at the number of different-subject pairs); genuine pairs are all same-subject pairs.</summary>
    public int IjbImpostorPairs { get; init; } = 1000;

    /// <summary>MegaFace probe identities (FaceScrub stand-ins).</summary>
    public int MegaFaceProbeIdentities { get; init; } = 10;

    /// <summary>Images per probe identity (at least 2: rank-1 search needs a probe and a gallery image).</summary>
    public int MegaFaceImagesPerProbe { get; init; } = 6;

    /// <summary>MegaFace distractor images, each of its own identity.</summary>
    public int MegaFaceDistractors { get; init; } = 300;

    /// <summary>JPEG quality of every JPEG written (fixed, for byte-identical output).</summary>
    public int JpegQuality { get; init; } = 92;

    /// <summary>Threads rendering at once (default: all cores). Output does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputFolder)) throw new ArgumentException("OutputFolder is required");
        Positive(Identities, nameof(Identities));
        Positive(ImagesPerIdentity, nameof(ImagesPerIdentity));
        if (PairCount <= 0 || PairCount % 20 != 0)
            throw new ArgumentException($"PairCount must be a positive multiple of 20 (10 folds, each half same and half different pairs), got {PairCount}");
        if (PairSetIdentities < 20) throw new ArgumentException($"PairSetIdentities must be at least 20 (two per fold), got {PairSetIdentities}");
        if (IjbSubjects < 2) throw new ArgumentException($"IjbSubjects must be at least 2 (impostor pairs need two subjects), got {IjbSubjects}");
        if (IjbTemplatesPerSubject < 2) throw new ArgumentException($"IjbTemplatesPerSubject must be at least 2 (genuine pairs), got {IjbTemplatesPerSubject}");
        if (IjbImpostorPairs < 0) throw new ArgumentException($"IjbImpostorPairs must not be negative, got {IjbImpostorPairs}");
        Positive(MegaFaceProbeIdentities, nameof(MegaFaceProbeIdentities));
        if (MegaFaceImagesPerProbe < 2) throw new ArgumentException($"MegaFaceImagesPerProbe must be at least 2, got {MegaFaceImagesPerProbe}");
        Positive(MegaFaceDistractors, nameof(MegaFaceDistractors));
        if (JpegQuality is < 1 or > 100) throw new ArgumentException($"JpegQuality must be 1..100, got {JpegQuality}");
        if (MaxDegreeOfParallelism is <= 0) throw new ArgumentException($"MaxDegreeOfParallelism must be positive, got {MaxDegreeOfParallelism}");
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}");
    }
}
