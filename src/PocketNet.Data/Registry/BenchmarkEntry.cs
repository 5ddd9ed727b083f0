namespace PocketNet.Data.Registry;

/// <summary>How a benchmark is evaluated.</summary>
public enum BenchmarkProtocol
{
    /// <summary>1:1 pair verification on an InsightFace .bin (10-fold accuracy).</summary>
    Pairs,

    /// <summary>IJB-B / IJB-C 1:1 template verification (TAR at FAR).</summary>
    Ijb,

    /// <summary>MegaFace challenge 1 (rank-1 identification, TAR at FAR 1e-6).</summary>
    MegaFace,
}

/// <summary>
/// Counts of a benchmark (published, or found on disk); null where not applicable. Pair sets: pairs, images.
/// IJB: pairs, genuine pairs, images (faces), templates. MegaFace: images and identities of the probes, distractors.
/// </summary>
public sealed record BenchmarkCounts(
    int? Pairs = null,
    int? Images = null,
    int? Templates = null,
    int? GenuinePairs = null,
    int? Identities = null,
    int? Distractors = null)
{
    public bool IsEmpty => Pairs is null && Images is null && Templates is null && GenuinePairs is null && Identities is null && Distractors is null;
}

/// <summary>
/// One benchmark of the registry (data/benchmarks.json). <see cref="Path"/> and the expected/optional files are
/// relative to the entry's root (the data root for real benchmarks, the synth root for synthetic ones) unless
/// absolute; a file ending in '/' is a folder.
/// </summary>
public sealed record BenchmarkEntry(
    string Name,
    string DisplayName,
    BenchmarkProtocol Protocol,
    string Format,
    string Path,
    bool IsSynthetic,
    IReadOnlyList<string> ExpectedFiles,
    IReadOnlyList<string> OptionalFiles,
    BenchmarkCounts? Published,
    string? StandsInFor,
    string? Description);
