namespace PocketNet.Application.Search;

/// <summary>
/// A DARTS architecture search as the CLI's `search`, POST /api/searches and the new-search form ask for it; a value
/// left null is the reference's (NAS/util/config.py). <see cref="Planning.JobPlanner"/> checks it and resolves it into
/// the search options that are stored and run.
/// </summary>
public sealed record SearchRequest
{
    /// <summary>In the portal a training set it offers by name; in the CLI FORMAT:PATH.</summary>
    public required string TrainingSet { get; init; }

    /// <summary>Default the reference's 50.</summary>
    public int? Epochs { get; init; }

    /// <summary>Default the reference's 128.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Initial cell width C of the supernet (the paper: 16).</summary>
    public int? Channels { get; init; }

    /// <summary>Cells of the supernet (the paper: 8).</summary>
    public int? Cells { get; init; }

    /// <summary>True: DARTS' unrolled second-order architecture gradient (the reference's); false: first order.</summary>
    public bool SecondOrder { get; init; } = true;

    /// <summary>Weight learning rate, cosine-annealed to <see cref="LearningRateMin"/>.</summary>
    public double? LearningRate { get; init; }

    public double? LearningRateMin { get; init; }

    /// <summary>Adam learning rate of the architecture weights.</summary>
    public double? AlphaLearningRate { get; init; }

    /// <summary>Width, depth and embedding of the network the found genotype is written out as.</summary>
    public int? FinalChannels { get; init; }

    public int? FinalCells { get; init; }

    public int? FinalEmbedding { get; init; }

    public string Device { get; init; } = "auto";

    /// <summary>Default the reference's 2.</summary>
    public int? Seed { get; init; }

    /// <summary>Steps between progress events; default the host's.</summary>
    public int? LogEverySteps { get; init; }

    public string? Name { get; init; }

    /// <summary>The queue to wait in (a worker serving it runs the job); default the one named after the device: cpu or cuda.</summary>
    public string? Queue { get; init; }

    /// <summary>CLI: data-parallel settings of the ranks the launcher starts.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public PocketNet.Training.Distributed.DistributedOptions? Distributed { get; init; }
}
