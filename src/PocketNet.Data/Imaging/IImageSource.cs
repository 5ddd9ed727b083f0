namespace PocketNet.Data.Imaging;

/// <summary>
/// A list of face images to embed (an IJB set's aligned faces, MegaFace probes or distractors): each comes out
/// aligned, RGB, channel-first, values mapped to [-1, 1] like <see cref="Training.ITrainingSet"/>'s.
/// Implementations must allow concurrent <see cref="ReadImage"/> calls; <see cref="ImageBatchReader"/> reads
/// them in parallel, in order, a batch at a time, so sets far larger than memory stream through.
/// </summary>
public interface IImageSource
{
    /// <summary>Human-readable name, shown in logs and on the portal.</summary>
    string Name { get; }

    /// <summary>True for generated data (SynthFaces); results on it are labelled synthetic.</summary>
    bool IsSynthetic { get; }

    int Count { get; }

    /// <summary>Side of the square images the source yields (112).</summary>
    int ImageSize { get; }

    /// <summary>Writes image <paramref name="index"/> as 3 x ImageSize x ImageSize floats into <paramref name="destination"/>.</summary>
    void ReadImage(int index, Span<float> destination);

    /// <summary>Names image <paramref name="index"/> (its file) for messages.</summary>
    string Describe(int index);
}
