using PocketNet.Application.Reproducibility;
using PocketNet.Data.Pairs;
using PocketNet.Data.Training;
using PocketNet.Training.Distributed;
using PocketNet.Training.Progress;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Application.Training;

/// <summary>Starts and resumes training runs; the one place both front ends go through.</summary>
public static class TrainingService
{
    /// <summary>Trains (or continues) the run in <paramref name="runFolder"/>; returns the finished model's folder.</summary>
    public static string Train(TrainingOptions options, string runFolder, IProgress<TrainingEvent>? observer, CancellationToken cancellation)
    {
        options.Validate();
        ITrainingSet data = DataCatalog.OpenTrainingSet(options.Data);
        IReadOnlyList<PairSet> validation = options.Validation.Select(DataCatalog.OpenPairSet).ToList();
        observer?.Report(new RunMessage(
            $"training {options.Model.DisplayName} ({options.Mode}) on {data.Name}{(data.IsSynthetic ? " [synthetic]" : "")}: " +
            $"{data.Count:N0} images of {data.ClassCount:N0} identities, {options.Epochs} epochs of {data.Count / options.BatchSize:N0} steps"));
        // One rank of a data-parallel job when torchrun's variables say so (our --nproc-per-node launcher sets them too).
        using TrainingWorld world = TrainingWorld.FromEnvironment(options.Device);
        var run = new RunDirectory(runFolder);
        if (world.IsMain)
        {
            Directory.CreateDirectory(runFolder);
            ReproducibilityRecord.Capture(options, data, resumed: run.Checkpoints().Count > 0, world.Size).AppendTo(runFolder);
        }
        string model = new RecognitionTrainer(options, data, run, validation, world.IsMain ? observer : null, world).Run(cancellation);
        if (world.IsMain) ReproducibilityRecord.CopyIntoModel(runFolder, model);
        return model;
    }

    /// <summary>Continues a stopped run from its newest checkpoint, with the options it was started with.</summary>
    public static string Resume(string runFolder, IProgress<TrainingEvent>? observer, CancellationToken cancellation)
    {
        var run = new RunDirectory(runFolder);
        return Train(run.ReadOptions<TrainingOptions>(), runFolder, observer, cancellation);
    }
}
