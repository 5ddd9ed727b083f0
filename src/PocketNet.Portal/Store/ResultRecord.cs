namespace PocketNet.Portal.Store;

/// <summary>
/// One model's outcome on one benchmark. <see cref="Value"/> is the headline as a fraction (accuracy for pair sets,
/// TAR at FAR 1e-4 for IJB, rank-1 for MegaFace); <see cref="DetailsJson"/> holds the full protocol result (folds,
/// ROC points) as the application layer reports it. The leaderboard shows the newest result per model and benchmark.
/// </summary>
public sealed class ResultRecord
{
    public int Id { get; set; }
    public int ModelId { get; set; }
    public ModelRecord? Model { get; set; }
    public int? JobId { get; set; }
    public required string Benchmark { get; set; }
    public required string DisplayName { get; set; }
    public required string Protocol { get; set; }
    public bool Synthetic { get; set; }
    public required string Metric { get; set; }
    public double Value { get; set; }

    /// <summary>Standard deviation over folds, where the protocol has folds.</summary>
    public double? Std { get; set; }

    /// <summary>libtorch, onnx, or "published".</summary>
    public required string Runtime { get; set; }

    public double Seconds { get; set; }
    public string? DetailsJson { get; set; }

    /// <summary>
    /// For a published value: where it comes from when sources disagree, or why its metric differs from the column's.
    /// For a trained model's: "from the last epoch's check" when the check after the last epoch gave it.
    /// </summary>
    public string? Note { get; set; }
    public DateTime CreatedAt { get; set; }
}
