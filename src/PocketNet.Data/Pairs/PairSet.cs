namespace PocketNet.Data.Pairs;

/// <summary>
/// A face-verification pair set (LFW, CFP-FP, AgeDB-30... or a synthetic stand-in): images 2i and 2i+1
/// form pair i, and <see cref="IsSame"/>[i] says whether they show one identity. Images are decoded,
/// normalised, channel-first floats like <see cref="Training.ITrainingSet"/>'s.
/// </summary>
public sealed class PairSet
{
    public PairSet(string name, IReadOnlyList<float[]> images, IReadOnlyList<bool> isSame, int imageSize, bool isSynthetic)
    {
        if (images.Count != 2 * isSame.Count)
            throw new ArgumentException($"pair set '{name}' has {images.Count} images for {isSame.Count} pairs; it needs exactly two per pair");
        (Name, Images, IsSame, ImageSize, IsSynthetic) = (name, images, isSame, imageSize, isSynthetic);
    }

    public string Name { get; }
    public IReadOnlyList<float[]> Images { get; }
    public IReadOnlyList<bool> IsSame { get; }
    public int ImageSize { get; }
    public bool IsSynthetic { get; }
    public int PairCount => IsSame.Count;
}
