namespace PocketNet.Torch.Serialization;

/// <summary>
/// A checkpoint or pickle file that cannot be read: malformed, truncated, of an unsupported kind, or
/// asking for something the loader refuses to do (such as calling a global that is not allow-listed).
/// The message always starts with the file's name, so a failure in a batch of files points at the culprit.
/// (An <see cref="IOException"/>, since the framework's InvalidDataException is sealed.)
/// </summary>
public class CheckpointFormatException : IOException
{
    public CheckpointFormatException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file (or stream name) that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
