namespace PocketNet.Portal.Jobs;

/// <summary>A DARTS architecture search as the new-run form and POST /api/searches ask for it (defaults: a small search).</summary>
public sealed record SearchRunRequest
{
    public required string TrainingSet { get; init; }
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 16;

    /// <summary>Initial cell width C of the supernet (the paper: 16).</summary>
    public int Channels { get; init; } = 8;

    /// <summary>Cells of the supernet (the paper: 8).</summary>
    public int Cells { get; init; } = 4;

    /// <summary>True: DARTS' unrolled second-order architecture gradient; false: first order.</summary>
    public bool SecondOrder { get; init; }

    public string Device { get; init; } = "auto";
    public int Seed { get; init; } = 2;
    public string? Name { get; init; }

    /// <summary>The queue to wait in (a worker serving it runs the job); default the one named after the device: cpu or cuda.</summary>
    public string? Queue { get; init; }
}
