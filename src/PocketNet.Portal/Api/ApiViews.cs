using System.Text.Json;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Live;
using PocketNet.Portal.Store;
using PocketNet.Training.Progress;

namespace PocketNet.Portal.Api;

/// <summary>
/// A job as the API shows it. Progress is a fraction (0..1); times are UTC (StartedAt: the first attempt's start);
/// rates in images per second; <see cref="Latest"/> is its latest progress event (a training step, an accuracy check
/// or an evaluation, with pairs embedded out of the total); <see cref="RunSeconds"/> the time run over all attempts.
/// </summary>
public sealed record JobView(
    int Id, JobKind Kind, JobState State, string Title, string Device, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
    double Progress, string? Phase, double? Loss, double? ImagesPerSecond, double? RemainingSeconds, string? Error,
    int? ModelId, string? Genotype, int Attempts, JsonElement Request, string Queue, string? Worker, double? HeartbeatAgeSeconds,
    IReadOnlyList<string> Tags, string? Notes, ProgressEvent? Latest = null, double RunSeconds = 0)
{
    public static JobView Of(JobRecord j) => new(j.Id, j.Kind, j.State, j.Title, j.Device, j.CreatedAt, j.StartedAt, j.FinishedAt,
        j.Progress, j.Phase, j.Loss, j.ImagesPerSecond, j.RemainingSeconds, j.Error, j.ModelId, j.Genotype, j.Attempts,
        JsonDocument.Parse(j.RequestJson).RootElement.Clone(), j.Queue, j.Worker, HeartbeatAge(j), Annotations.Tags.Split(j.Tags), j.Notes,
        JobReporter.Parse(j.ProgressJson), j.RunSeconds);

    /// <summary>The job with the newest progress laid over the store's row (<see cref="RunningJobs.Snapshot"/>) while this process runs it.</summary>
    public static JobView Of(JobRecord j, JobUpdate live) => Of(j) with
    {
        Progress = live.Progress, Phase = live.Phase, Loss = live.Loss, ImagesPerSecond = live.ImagesPerSecond,
        RemainingSeconds = live.RemainingSeconds, Latest = live.Latest, RunSeconds = live.RunSeconds,
    };

    /// <summary>Seconds since a running job's worker last wrote its progress; null for a job that is not running.</summary>
    public static double? HeartbeatAge(JobRecord j) =>
        j.State == JobState.Running && j.HeartbeatAt is DateTime beat ? Math.Round(Math.Max(0, (DateTime.UtcNow - beat).TotalSeconds), 1) : null;
}

/// <summary>A result: <see cref="Value"/> and <see cref="Std"/> are fractions; <see cref="Seconds"/> is the evaluation's wall time.</summary>
public sealed record ResultView(
    int Id, int ModelId, string Benchmark, string DisplayName, bool Synthetic, string Metric, double Value, double? Std,
    string Runtime, double Seconds, DateTime CreatedAt, string? Note = null)
{
    public static ResultView Of(ResultRecord r) =>
        new(r.Id, r.ModelId, r.Benchmark, r.DisplayName, r.Synthetic, r.Metric, r.Value, r.Std, r.Runtime, r.Seconds, r.CreatedAt, r.Note);
}

/// <summary>A model with its size (parameters as a count, MFLOPs and MMACs per 112x112 image) and its results.</summary>
public sealed record ModelView(
    int Id, string Name, string DisplayName, ModelOrigin Origin, string Architecture, int EmbeddingSize, long Parameters,
    double? MegaFlops, string? TrainingMode, string? TrainingData, bool SyntheticTraining, string? Genotype, string? Source,
    int? JobId, DateTime CreatedAt, bool Downloadable, IReadOnlyList<ResultView> Results, string? SourceUrl = null, string? Note = null,
    double? MegaMacs = null, double? LatencyMilliseconds = null, string? LatencyHost = null, int? QuantizedFromId = null,
    IReadOnlyList<string>? Tags = null, string? Notes = null)
{
    public static ModelView Of(ModelRecord m) => new(m.Id, m.Name, m.DisplayName, m.Origin, m.Architecture, m.EmbeddingSize,
        m.Parameters, m.MegaFlops, m.TrainingMode, m.TrainingData, m.SyntheticTraining, m.Genotype, m.Source, m.JobId, m.CreatedAt,
        m.Folder is not null, m.Results.OrderBy(r => r.Benchmark).ThenByDescending(r => r.CreatedAt).Select(ResultView.Of).ToList(), m.SourceUrl, m.Note,
        m.MegaMacs, m.LatencyMilliseconds, m.LatencyHost, m.QuantizedFromId, Annotations.Tags.Split(m.Tags), m.Notes);
}
