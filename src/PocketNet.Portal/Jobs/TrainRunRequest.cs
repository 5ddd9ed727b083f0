namespace PocketNet.Portal.Jobs;

/// <summary>
/// A training run as the new-run form and POST /api/runs ask for it. The network is a registry name
/// (<see cref="Model"/>) or a genotype with its width and depth; the teacher, for KD modes, is a stored model.
/// After training, the model is registered and evaluated on <see cref="Benchmarks"/>.
/// </summary>
public sealed record TrainRunRequest
{
    /// <summary>Registry name (pocketnet-s-128, mobilefacenet, iresnet50, ...); ignored when <see cref="Genotype"/> is given.</summary>
    public string? Model { get; init; }

    /// <summary>A DARTS genotype (as a search prints it) to train instead of a registry model.</summary>
    public string? Genotype { get; init; }

    /// <summary>Initial cell width of a genotype network.</summary>
    public int? Channels { get; init; }

    /// <summary>Cells of a genotype network (at least 4).</summary>
    public int? Cells { get; init; }

    /// <summary>Embedding size; default the registry model's.</summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>arcface, cosface, kd or multistep-kd.</summary>
    public string Mode { get; init; } = "arcface";

    /// <summary>Name of a training set the portal offers (see GET /api/datasets).</summary>
    public required string TrainingSet { get; init; }

    /// <summary>Stored model id of the teacher (kd: its weights; multistep-kd: its training run's checkpoints).</summary>
    public int? TeacherModelId { get; init; }

    /// <summary>The reference preset whose values the run takes (ms1mv2 or casia-webface; GET /api/recipes).</summary>
    public string? Recipe { get; init; }

    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 32;

    /// <summary>Learning rate at a batch of 512 (scaled linearly with the batch), as the paper states it; default the recipe's.</summary>
    public double? LearningRate { get; init; }

    /// <summary>sgd (every recipe's) or adamw (decoupled weight decay: EdgeFace's recipe); default sgd.</summary>
    public string? Optimizer { get; init; }

    /// <summary>Weight decay (sgd: L2 on the gradient; adamw: decoupled, e.g. 0.05); default the recipe's (5e-4).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Epochs (from 1) at which the learning rate drops tenfold; default the recipe's, scaled to <see cref="Epochs"/>.</summary>
    public IReadOnlyList<int>? Milestones { get; init; }

    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// Training processes (data-parallel ranks) on the host that runs the job: one GPU each on CUDA, an equal share of
    /// the cores each on a CPU. 1 trains in the portal's own process; more start the CLI's launcher.
    /// <see cref="BatchSize"/> is per process, and the learning rate follows the global batch.
    /// </summary>
    public int Processes { get; init; } = 1;

    public int Seed { get; init; }

    /// <summary>Benchmarks to evaluate the finished model on (registry names); empty: none.</summary>
    public IReadOnlyList<string> Benchmarks { get; init; } = [];

    /// <summary>Pair sets (registry names of pair benchmarks) checked after each epoch for the accuracy curve.</summary>
    public IReadOnlyList<string> Validation { get; init; } = [];

    /// <summary>The queue to wait in (a worker serving it runs the job); default the one named after the device: cpu or cuda.</summary>
    public string? Queue { get; init; }

    /// <summary>A name for the run; default from the model and mode.</summary>
    public string? Name { get; init; }
}
