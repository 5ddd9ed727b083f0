using Microsoft.Extensions.Options;
using PocketNet.Data.Registry;
using PocketNet.Application.Training;
using PocketNet.Training.Options;

namespace PocketNet.Portal.Catalog;

/// <summary>
/// The training sets offered by the new-run form: SynthFaces' train/ under the synth root (always labelled
/// synthetic) and the sets configured in Portal:TrainingSets (MS1MV2, CASIA-WebFace on a GPU host). Requests name
/// a set; paths never come from the browser.
/// </summary>
public sealed class TrainingSetCatalog(IOptions<PortalOptions> options, BenchmarkRegistry registry) : ITrainingSets
{
    public const string SynthFaces = "SynthFaces";

    public IReadOnlyList<TrainingSetInfo> All()
    {
        string synth = Path.Combine(registry.Roots.SynthRoot, "train");
        var sets = new List<TrainingSetInfo> { new(SynthFaces, DataSourceParser.Of(DataFormat.RecordIo, synth), true, File.Exists(Path.Combine(synth, "train.rec"))) };
        foreach (TrainingSetOption set in options.Value.TrainingSets)
        {
            DataFormat format = TrainingNames.Format.Parse(set.Format);
            string path = Path.GetFullPath(set.Path);
            bool present = format == DataFormat.Folder ? Directory.Exists(path) : Directory.Exists(path) || File.Exists(path);
            sets.Add(new TrainingSetInfo(set.Name, DataSourceParser.Of(format, path), set.Synthetic, present));
        }
        return sets;
    }

    /// <summary>The set named <paramref name="name"/>, present on disk; otherwise an error naming what is wrong.</summary>
    public TrainingSetInfo Get(string name)
    {
        TrainingSetInfo set = All().FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown training set '{name}'; offered: {string.Join(", ", All().Select(s => s.Name))}");
        if (!set.Present)
            throw new ArgumentException($"training set {set.Name} is not present at {set.Source.Path}" +
                                        (set.Synthetic ? " (generate it with `pocketnet synth` or ./run.sh)" : ""));
        return set;
    }
}
