using PocketNet.Training.Options;
using PocketNet.Training.Recognition;

namespace PocketNet.Application.Training;

/// <summary>Training sets as FORMAT:PATH (recordio:/data/faces_emore, folder:/data/casia), the format read by <see cref="TrainingNames.Format"/>.</summary>
public static class DataSourceParser
{
    public static DataSource Parse(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new ArgumentException($"'{text}' is not FORMAT:PATH (formats: {string.Join(", ", TrainingNames.Format.Names)})");
        return Of(TrainingNames.Format.Parse(text[..colon]), text[(colon + 1)..]);
    }

    /// <summary>A source by its format and path (made absolute); run.json records the format's name.</summary>
    public static DataSource Of(DataFormat format, string path) => new(TrainingNames.Format.NameOf(format), Path.GetFullPath(path));
}
