using PocketNet.Training.Distributed;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;
using PocketNet.Training.Search;

namespace PocketNet.Application.Training;

/// <summary>Starts and resumes DARTS searches.</summary>
public static class SearchService
{
    /// <summary>Runs (or continues) the search in <paramref name="runFolder"/>; returns the folder of the derived model.</summary>
    public static string Search(SearchOptions options, string runFolder, IProgress<TrainingEvent>? observer, CancellationToken cancellation)
    {
        var data = DataCatalog.OpenTrainingSet(options.Data);
        observer?.Report(new RunMessage(
            $"DARTS search on {data.Name}{(data.IsSynthetic ? " [synthetic]" : "")}: {data.Count:N0} images of {data.ClassCount:N0} identities, " +
            $"halves for weights and architecture, {options.Epochs} epochs"));
        using TrainingWorld world = TrainingWorld.FromEnvironment(options.Device);
        return new DartsSearch(options, data, new RunDirectory(runFolder), world.IsMain ? observer : null, world).Run(cancellation);
    }

    public static string Resume(string runFolder, IProgress<TrainingEvent>? observer, CancellationToken cancellation) =>
        Search(new RunDirectory(runFolder).ReadOptions<SearchOptions>(), runFolder, observer, cancellation);
}

/// <summary>Tells a training run from a search by the options recorded in its run.json.</summary>
public static class RunKinds
{
    public static bool IsSearch(string runFolder)
    {
        string path = Path.Combine(runFolder, RunDirectory.OptionsFile);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("alpha_learning_rate", out _);
    }
}
