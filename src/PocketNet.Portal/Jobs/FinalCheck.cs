using System.Globalization;
using System.Text;
using PocketNet.Application.Evaluation;
using PocketNet.Application.Training;
using PocketNet.Data.Registry;
using PocketNet.Data.Training;
using PocketNet.Portal.Store;
using PocketNet.Training.Recognition;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Jobs;

/// <summary>
/// The accuracy check after a training run's last epoch, taken as the evaluation after training on the same pair
/// set: same final weights, same file, same protocol (flip, 10 folds), run by the same engine (libtorch), so
/// embedding its pairs again would only compute the same number twice. The portal checks after every epoch, so the
/// last check is on the final weights; <see cref="Find"/> still confirms it from the run's check record.
/// </summary>
public static class FinalCheck
{
    /// <summary>What the stored result and the log say about where the number comes from.</summary>
    public const string Note = "from the last epoch's check";

    /// <summary>The requested benchmarks that the check after every epoch also covers (its pair sets).</summary>
    public static IReadOnlyList<string> Covers(TrainingRequest request, BenchmarkRegistry registry) =>
        request.Benchmarks.Where(b => request.Validation.Contains(b, StringComparer.Ordinal) && registry.Get(b).Protocol == BenchmarkProtocol.Pairs).ToList();

    /// <summary>The run's check of <paramref name="benchmark"/> on its final weights; null when there is none.</summary>
    public static CheckRecord? Find(BenchmarkRegistry registry, string benchmark, string runFolder)
    {
        var run = new RunDirectory(runFolder);
        if (EventsFile.LastStep(run.EventsPath) is not { } last) return null;
        return CheckRecord.FindFinal(run, registry.ResolvePath(registry.Get(benchmark)), last.TotalSteps);
    }

    public static BenchmarkResult Result(BenchmarkRegistry registry, string benchmark, CheckRecord check)
    {
        BenchmarkEntry entry = registry.Get(benchmark);
        return new BenchmarkResult(entry.Name, entry.DisplayName, entry.Protocol, entry.IsSynthetic, entry.StandsInFor,
            HeadlineMetrics.For(BenchmarkProtocol.Pairs), check.Result.MeanAccuracy, check.Seconds, Pairs: check.Result with { Benchmark = entry.Name });
    }

    public static EvaluationReport Report(ModelRecord model, BenchmarkResult result) =>
        new(model.DisplayName, null, model.Folder ?? "", model.Parameters, model.MegaFlops, DateTimeOffset.UtcNow, [result], EvaluationRuntime.Libtorch);

    /// <summary>Every pair's squared distance, as an evaluation's score dump writes them.</summary>
    public static void WriteScores(CheckRecord check, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine("pair,squared_distance,same");
        for (int i = 0; i < check.Distances.Count; i++)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i},{check.Distances[i]:R},{(check.Same[i] ? 1 : 0)}"));
    }

    /// <summary>
    /// The training phase's share of the job's bar, in image passes through the network: a trained image is 3
    /// (forward, backward), an embedded one 2 (itself and its flip); the evaluation after training takes the rest.
    /// </summary>
    public static double TrainingShare(TrainingOptions options, long imagesPerCheck, long evaluationImages)
    {
        if (evaluationImages == 0) return 1;
        ITrainingSet data = DataCatalog.OpenTrainingSet(options.Data);
        long trainingImages = data.Count;
        (data as IDisposable)?.Dispose(); // a RecordIO set holds its file open
        double training = options.Epochs * (3.0 * trainingImages + 2.0 * imagesPerCheck);
        return training / (training + 2.0 * evaluationImages);
    }
}
