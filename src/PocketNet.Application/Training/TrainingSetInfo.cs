using PocketNet.Training.Recognition;

namespace PocketNet.Application.Training;

/// <summary>A training set a host offers: name, where it lies, whether it is synthetic, whether it is there.</summary>
public sealed record TrainingSetInfo(string Name, DataSource Source, bool Synthetic, bool Present);

/// <summary>
/// The training sets a request may name: the portal's catalogue (names only; paths never come from the browser), or the
/// CLI's FORMAT:PATH. <see cref="Get"/> refuses an unknown or absent set with an error that names it.
/// </summary>
public interface ITrainingSets
{
    TrainingSetInfo Get(string name);
}

/// <summary>The CLI's training sets: any FORMAT:PATH on this host.</summary>
public sealed class LocalTrainingSets : ITrainingSets
{
    public TrainingSetInfo Get(string name)
    {
        DataSource source = DataSourceParser.Parse(name);
        return new TrainingSetInfo(name, source, Synthetic: false, Present: Directory.Exists(source.Path) || File.Exists(source.Path));
    }
}
