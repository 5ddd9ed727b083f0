namespace PocketNet.Data.Pairs;

/// <summary>
/// The raw content of an InsightFace .bin pair set: encoded images (JPEG/PNG bytes; 2i and 2i+1 form pair i)
/// and the same/different label of each pair.
/// </summary>
public sealed record BinPairSetContents(string SourcePath, IReadOnlyList<byte[]> Images, IReadOnlyList<bool> IsSame)
{
    public int PairCount => IsSame.Count;
}
