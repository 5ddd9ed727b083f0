namespace PocketNet.Evaluation.Identification;

/// <summary>
/// The probe set of MegaFace challenge 1 (FaceScrub: 3,530 images of 80 identities in the refined list):
/// one feature per image, row-major, and each image's identity.
/// </summary>
public sealed class MegaFaceProbes
{
    public MegaFaceProbes(float[] features, int dimension, IReadOnlyList<string> identities)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(identities);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        if ((long)identities.Count * dimension != features.Length)
            throw new ArgumentException($"{features.Length} values are not {identities.Count} probes of {dimension}");
        Features = features;
        Dimension = dimension;
        Identities = identities;

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        IdentityIndex = new int[identities.Count];
        for (int i = 0; i < identities.Count; i++)
        {
            if (!index.TryGetValue(identities[i], out int id)) index[identities[i]] = id = index.Count;
            IdentityIndex[i] = id;
        }
        IdentityCount = index.Count;
    }

    /// <summary>Probe features, row-major [Count x Dimension].</summary>
    public float[] Features { get; }

    public int Dimension { get; }

    public int Count => Identities.Count;

    /// <summary>Identity name of each probe.</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <summary>Number of distinct identities.</summary>
    public int IdentityCount { get; }

    /// <summary>Each probe's identity as a dense index 0 .. IdentityCount - 1 (order of first appearance).</summary>
    internal int[] IdentityIndex { get; }
}
