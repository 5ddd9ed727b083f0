namespace PocketNet.Data.Training;

/// <summary>
/// A labelled face-image collection to train on (MS1MV2 RecordIO, an identity-folder tree, SynthFaces...).
/// Images come out aligned, RGB, channel-first, each value mapped to [-1, 1] as (x / 255 - 0.5) / 0.5.
/// Implementations must allow concurrent <see cref="ReadImage"/> calls (the loader decodes in parallel).
/// </summary>
public interface ITrainingSet
{
    /// <summary>Human-readable name, shown in logs and on the portal.</summary>
    string Name { get; }

    /// <summary>True for generated data (SynthFaces); results on it are labelled synthetic.</summary>
    bool IsSynthetic { get; }

    int Count { get; }

    /// <summary>Number of identities; labels are 0..ClassCount-1.</summary>
    int ClassCount { get; }

    /// <summary>Side of the square images, 112 for the standard aligned crops.</summary>
    int ImageSize { get; }

    int GetLabel(int index);

    /// <summary>Writes image <paramref name="index"/> as 3 x ImageSize x ImageSize floats into <paramref name="destination"/>.</summary>
    void ReadImage(int index, Span<float> destination);
}
