using System.Text.Json.Serialization;
using PocketNet.Training.Distributed;
using PocketNet.Training.Options;
using PocketNet.Training.Recognition;

namespace PocketNet.Application.Training;

/// <summary>
/// A training run as the CLI's `train`, POST /api/runs and the new-run form all ask for it; <see cref="Planning.JobPlanner"/>
/// checks it and resolves it into the <see cref="TrainingOptions"/> that are stored (run.json) and run. The network is a
/// registry name (<see cref="Model"/>) or a genotype with its width and depth. A value left null is the recipe's.
/// Properties marked <see cref="JsonIgnoreAttribute"/> name files on the host that plans the run: only the CLI sets them,
/// never a request over the web.
/// </summary>
public sealed record TrainingRequest
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

    /// <summary>arcface, cosface, kd or multistep-kd (and the aliases of <see cref="TrainingNames.Mode"/>).</summary>
    [JsonConverter(typeof(TrainingNames.ModeJson))]
    public TrainingMode Mode { get; init; } = TrainingMode.ArcFace;

    /// <summary>The training set: in the portal a set it offers by name (GET /api/datasets); in the CLI FORMAT:PATH.</summary>
    public required string TrainingSet { get; init; }

    /// <summary>Stored model id of the teacher (kd: its weights; multistep-kd: its training run's checkpoints).</summary>
    public int? TeacherModelId { get; init; }

    /// <summary>The reference preset whose values the run takes (ms1mv2 or casia-webface; GET /api/recipes); the CLI also takes a recipe file.</summary>
    public string? Recipe { get; init; }

    /// <summary>Default the recipe's (26 for ms1mv2).</summary>
    public int? Epochs { get; init; }

    /// <summary>Images per process and step; default the recipe's (128).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Learning rate at a batch of 512 (scaled linearly with the batch), as the paper states it; default the recipe's.</summary>
    public double? LearningRate { get; init; }

    /// <summary>sgd (every recipe's) or adamw (decoupled weight decay: EdgeFace's recipe); default sgd.</summary>
    [JsonConverter(typeof(TrainingNames.OptimizerJson))]
    public TrainingOptimizer? Optimizer { get; init; }

    /// <summary>Weight decay (sgd: L2 on the gradient; adamw: decoupled, e.g. 0.05); default the recipe's (5e-4).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Epochs (from 1) at which the learning rate drops tenfold; default the recipe's, scaled to <see cref="Epochs"/>.</summary>
    public IReadOnlyList<int>? Milestones { get; init; }

    /// <summary>SGD's momentum; default the recipe's (0.9); refused with adamw.</summary>
    public double? Momentum { get; init; }

    /// <summary>Maximum norm of the backbone's gradient; 0 trains without clipping; default the recipe's (5).</summary>
    public double? GradientClip { get; init; }

    /// <summary>m of the margin head; default the recipe's (ArcFace 0.5, CosFace 0.35).</summary>
    public double? Margin { get; init; }

    /// <summary>s of the margin head; default the recipe's (64).</summary>
    public double? Scale { get; init; }

    /// <summary>w of the distillation term; default the recipe's (100).</summary>
    public double? DistillationWeight { get; init; }

    /// <summary>fp32, bf16 or fp16 (CUDA, with loss scaling).</summary>
    [JsonConverter(typeof(TrainingNames.PrecisionJson))]
    public TrainingPrecision Precision { get; init; }

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

    /// <summary>Pair sets (registry names of pair benchmarks; the CLI also takes .bin paths) checked after each epoch for the accuracy curve.</summary>
    public IReadOnlyList<string> Validation { get; init; } = [];

    /// <summary>Steps between checks on <see cref="Validation"/>; 0: only at the end of each epoch.</summary>
    public int VerifyEverySteps { get; init; }

    /// <summary>Steps between progress events; default the host's (<see cref="Planning.PlanningHost.LogEverySteps"/>).</summary>
    public int? LogEverySteps { get; init; }

    /// <summary>The queue to wait in (a worker serving it runs the job); default the one named after the device: cpu or cuda.</summary>
    public string? Queue { get; init; }

    /// <summary>A name for the run; default from the model and mode.</summary>
    public string? Name { get; init; }

    /// <summary>CLI: the teacher by registry name (with <see cref="TeacherEmbeddingSize"/>); without it a multi-step teacher is the network <see cref="TeacherRun"/> trained.</summary>
    [JsonIgnore]
    public string? Teacher { get; init; }

    [JsonIgnore]
    public int? TeacherEmbeddingSize { get; init; }

    /// <summary>CLI: the distillation teacher's weights file.</summary>
    [JsonIgnore]
    public string? TeacherWeights { get; init; }

    /// <summary>CLI: the multi-step teacher's run folder (its per-epoch checkpoints).</summary>
    [JsonIgnore]
    public string? TeacherRun { get; init; }

    /// <summary>CLI: weights the backbone starts from instead of a fresh initialisation.</summary>
    [JsonIgnore]
    public string? InitWeights { get; init; }

    /// <summary>CLI: the reference's unclamped ArcFace sine (see <see cref="TrainingOptions.ClampArcFaceSine"/>).</summary>
    [JsonIgnore]
    public bool ReferenceSine { get; init; }

    /// <summary>CLI: Partial FC's share of class centres per step.</summary>
    [JsonIgnore]
    public double? SampleRate { get; init; }

    /// <summary>CLI: data-parallel settings of the ranks the launcher starts.</summary>
    [JsonIgnore]
    public DistributedOptions? Distributed { get; init; }
}
