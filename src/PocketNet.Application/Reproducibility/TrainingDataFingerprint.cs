using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PocketNet.Training.Recognition;

namespace PocketNet.Application.Reproducibility;

/// <summary>
/// A checksum of a training set's index, enough to tell whether two runs saw the same data without hashing every
/// image: a RecordIO set's train.idx (record offsets), an image folder's sorted list of relative paths and sizes.
/// </summary>
public static class TrainingDataFingerprint
{
    /// <summary>"sha256:HEX of WHAT", or null when the set's index cannot be read (it is then said so in the record).</summary>
    public static string? Of(DataSource source)
    {
        try
        {
            return source.Format switch
            {
                "recordio" => OfRecordIo(source.Path),
                "folder" => OfFolder(source.Path),
                _ => null,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? OfRecordIo(string path)
    {
        string index = Directory.Exists(path) ? Path.Combine(path, "train.idx") : Path.ChangeExtension(path, ".idx");
        if (!File.Exists(index)) return null;
        using FileStream stream = File.OpenRead(index);
        return $"sha256:{Convert.ToHexStringLower(SHA256.HashData(stream))} of {Path.GetFileName(index)}";
    }

    private static string OfFolder(string root)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
        {
            long length = new FileInfo(Path.Combine(root, file)).Length;
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\t{length.ToString(CultureInfo.InvariantCulture)}\n"));
            files++;
        }
        return $"sha256:{Convert.ToHexStringLower(hash.GetHashAndReset())} of the sorted paths and sizes of {files} files";
    }
}
