namespace PocketNet.Portal.Store;

/// <summary>
/// A queued, running or finished job. <see cref="RequestJson"/> is the request exactly as it was accepted (a
/// <c>TrainingRequest</c>, <c>SearchRequest</c> or <c>EvaluationRequest</c>); the progress columns are a
/// snapshot the runner refreshes every few seconds, while the run folder's events.jsonl holds the full history.
/// </summary>
public sealed class JobRecord
{
    public int Id { get; set; }
    public JobKind Kind { get; set; }
    public JobState State { get; set; }
    public required string Title { get; set; }
    public required string RequestJson { get; set; }

    /// <summary>The device the job runs on (cpu, cuda:0, ...), resolved when queued.</summary>
    public required string Device { get; set; }

    /// <summary>The engine's queue the job waits in (cpu, cuda, or a name from settings such as a100): workers serve queues.</summary>
    public string Queue { get; set; } = "cpu";

    /// <summary>The job engine's (Hangfire's) id of the execution that runs this job; a resume enqueues a new one.</summary>
    public string? EngineJobId { get; set; }

    /// <summary>The worker that runs (or last ran) the job: host name and process id. It holds the job while its heartbeat is fresh.</summary>
    public string? Worker { get; set; }

    /// <summary>When the running job's worker last wrote its progress; a job whose heartbeat is older than the lease is free to take over.</summary>
    public DateTime? HeartbeatAt { get; set; }

    /// <summary>Set by a cancel of a running job; the worker that runs it reads it with its heartbeat and stops the job.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>Absolute run folder (training and search); null for evaluations.</summary>
    public string? RunFolder { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the job first started (a resume or a takeover keeps it).</summary>
    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Seconds the job has run, every attempt together (a running attempt's time written with each heartbeat).</summary>
    public double RunSeconds { get; set; }

    /// <summary>Fraction done, 0..1.</summary>
    public double Progress { get; set; }

    public string? Phase { get; set; }

    /// <summary>The job's latest progress event (a training step, an accuracy check, an evaluation) as events.jsonl holds it.</summary>
    public string? ProgressJson { get; set; }
    public double? Loss { get; set; }
    public double? ImagesPerSecond { get; set; }
    public double? RemainingSeconds { get; set; }
    public string? Error { get; set; }

    /// <summary>True when the next start continues from the newest checkpoint (a resumed or interrupted run).</summary>
    public bool Resume { get; set; }

    /// <summary>How many times the job has been started.</summary>
    public int Attempts { get; set; }

    /// <summary>The model the job registered (training) or evaluated (evaluation).</summary>
    public int? ModelId { get; set; }

    /// <summary>The genotype a search found.</summary>
    public string? Genotype { get; set; }

    /// <summary>The admin's tags, normalised and comma-separated (see Annotations.Tags); null when none.</summary>
    public string? Tags { get; set; }

    /// <summary>The admin's free-text notes on the run.</summary>
    public string? Notes { get; set; }
}
