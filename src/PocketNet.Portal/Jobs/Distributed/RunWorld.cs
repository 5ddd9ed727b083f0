using System.Text.Json;
using PocketNet.Application.Training;
using PocketNet.Portal.Store;
using PocketNet.Training.Distributed;
using PocketNet.Training.Progress;
using PocketNet.Training.Runs;

namespace PocketNet.Portal.Jobs.Distributed;

/// <summary>
/// One rank's latest speed: images per second of its own share of each global batch (its --batch) over the session
/// so far, at <see cref="GlobalStep"/>; all null before the rank has logged a step.
/// </summary>
public sealed record RankSpeed(int Rank, double? ImagesPerSecond, long? GlobalStep, DateTimeOffset? Time);

/// <summary>
/// The processes a training job runs in, as /api/runs/N/world answers and the run page shows: the world size (1 for
/// a job trained in the portal's own process, and for searches and evaluations) and each rank's latest images/s.
/// <see cref="TotalImagesPerSecond"/> is their sum, the job's throughput, once every rank has reported.
/// </summary>
public sealed record RunWorld(int JobId, int WorldSize, IReadOnlyList<RankSpeed> Ranks)
{
    public double? TotalImagesPerSecond => Ranks.Count > 0 && Ranks.All(r => r.ImagesPerSecond is not null) ? Ranks.Sum(r => r.ImagesPerSecond!.Value) : null;

    /// <summary>
    /// Rank 0's speed from the run's events.jsonl, rank r's from events-rank{r}.jsonl (the trainer's per-rank log,
    /// see PocketNet.Training.Distributed.DistributedRun.OpenLog): the last step event of each.
    /// </summary>
    public static RunWorld Of(JobRecord job)
    {
        int size = WorldSizeOf(job);
        var ranks = Enumerable.Range(0, size).Select(rank =>
        {
            StepProgress? step = job.RunFolder is null ? null : EventsFile.LastStep(Path.Combine(job.RunFolder, DistributedRun.EventsFileOf(rank)));
            return new RankSpeed(rank, step?.ImagesPerSecond, step?.GlobalStep, step?.Time);
        }).ToList();
        return new RunWorld(job.Id, size, ranks);
    }

    /// <summary>The processes a training job asked for; 1 for other jobs and for requests stored before the option existed.</summary>
    public static int WorldSizeOf(JobRecord job)
    {
        if (job.Kind != JobKind.Training) return 1;
        try
        {
            return JsonSerializer.Deserialize<TrainingRequest>(job.RequestJson, StoreJson.Requests)?.Processes ?? 1;
        }
        catch (JsonException)
        {
            return 1;
        }
    }
}
