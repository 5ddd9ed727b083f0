using System.Text.Json.Serialization;
using PocketNet.Models.Registry;
using PocketNet.Training.Recipes;

namespace PocketNet.Training.Recognition;

[JsonConverter(typeof(JsonStringEnumConverter<TrainingMode>))]
public enum TrainingMode
{
    /// <summary>ArcFace margin loss alone.</summary>
    ArcFace,

    /// <summary>CosFace margin loss alone.</summary>
    CosFace,

    /// <summary>ArcFace plus distillation from one frozen teacher.</summary>
    Distillation,

    /// <summary>ArcFace plus distillation from a teacher whose checkpoint advances with the student's epoch.</summary>
    MultiStepDistillation,
}

/// <summary>
/// What a face-recognition training run does. Defaults are the official scripts' (the <c>ms1mv2</c> recipe,
/// FACTS.md): SGD with momentum 0.9 and weight decay 5e-4 for backbone and head, learning rate 0.1 for a
/// global batch of 512 (scaled linearly with the batch), milestones 8, 14, 20, 25 of 26 epochs, the backbone's
/// gradient norm clipped at 5 in every mode, ArcFace s = 64 and m = 0.5, distillation weight 100.
/// <see cref="FromRecipe"/> takes every value from a recipe; what differs from it is listed in <see cref="Deviations"/>.
/// </summary>
public sealed record TrainingOptions
{
    public const int ReferenceBatchSize = 512;

    /// <summary>The reference preset this run follows; run.json records all of its values.</summary>
    public TrainingRecipe Recipe { get; init; } = TrainingRecipe.Default;

    public TrainingMode Mode { get; init; } = TrainingMode.ArcFace;

    public required ModelConfig Model { get; init; }

    /// <summary>Where the training images come from (resolved by the application layer).</summary>
    public required DataSource Data { get; init; }

    public int Epochs { get; init; } = 26;

    public int BatchSize { get; init; } = 128;

    /// <summary>Learning rate at a batch of 512; the rate used is this times BatchSize / 512.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>
    /// SGD (every PocketNet recipe) or AdamW, for backbone, head and Partial FC shard alike. AdamW ignores
    /// <see cref="Momentum"/> (its betas are PyTorch's defaults, 0.9 and 0.999) and decays weights decoupled.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public TrainingOptimizer Optimizer { get; init; }

    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD: L2 decay added to the gradient; AdamW: each step shrinks weights by lr × this (arcface_torch's adamw configs use 0.05-0.1).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>
    /// Epochs (counted from 1, as the paper and the reference count them) from which the learning rate
    /// is multiplied by <see cref="Gamma"/> once more. MS1MV2: 8, 14, 20, 25; CASIA-WebFace: 20, 28, 32.
    /// </summary>
    public IReadOnlyList<int> Milestones { get; init; } = [8, 14, 20, 25];

    /// <summary>How the milestones were derived from the recipe's when the run is shorter or longer (null: as the recipe).</summary>
    public string? ScheduleNote { get; init; }

    public double Gamma { get; init; } = 0.1;

    /// <summary>Epochs of quadratic warmup, ((epoch + 1) / (warmup + 1))², as the reference's lr_step_func; 0: none (every reference config).</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>
    /// Maximum L2 norm of the backbone's gradient, applied after backward in every mode as train_arc.py,
    /// train_kd.py and train_multi_step_kd.py do (the head is not clipped); null: no clipping.
    /// </summary>
    public double? GradientClip { get; init; } = 5;

    /// <summary>
    /// True (a deliberate deviation, listed in <see cref="Deviations"/>): the ArcFace sine is sqrt(max(0, 1 − cos²)).
    /// False: the reference's sqrt(1 − cos²), NaN when its clamp lets a cosine reach 1 + 1e-5.
    /// </summary>
    public bool ClampArcFaceSine { get; init; } = true;

    /// <summary>s of the margin head.</summary>
    public double Scale { get; init; } = 64;

    /// <summary>m of the margin head; null: the recipe's (0.5 for ArcFace-based modes, 0.35 for CosFace).</summary>
    public double? Margin { get; init; }

    /// <summary>w in CE + w·MSE(normalised student, normalised teacher).</summary>
    public double DistillationWeight { get; init; } = 100;

    /// <summary>Distillation: the teacher network.</summary>
    public ModelConfig? Teacher { get; init; }

    /// <summary>Distillation: safetensors or .pth weights of the teacher.</summary>
    public string? TeacherWeights { get; init; }

    /// <summary>Multi-step distillation: the teacher's run folder, whose per-epoch checkpoints are used in turn.</summary>
    public string? TeacherRun { get; init; }

    public int Seed { get; init; }

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Steps between progress events.</summary>
    public int LogEverySteps { get; init; } = 10;

    /// <summary>Pair sets (.bin files) checked during training, e.g. lfw.bin and cfp_fp.bin.</summary>
    public IReadOnlyList<string> Validation { get; init; } = [];

    /// <summary>Steps between verification checks on the validation pair sets; 0: only at the end of each epoch.</summary>
    public int VerifyEverySteps { get; init; }

    /// <summary>fp32; bf16 or fp16 (CUDA, with loss scaling): the backbone under autocast (parameters, gradients and checkpoints stay float32).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public TrainingPrecision Precision { get; init; }

    /// <summary>Weights the backbone starts from (safetensors or .pth, by state_dict name) instead of a fresh initialisation.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InitWeights { get; init; }

    /// <summary>Data-parallel settings (sync-bn, buckets); null: defaults. Only used when the run is one of several ranks.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Distributed.DistributedOptions? Distributed { get; init; }

    /// <summary>
    /// Partial FC: the margin head's class centres sharded across the ranks, and this share of each rank's centres
    /// (positives always among them) in each step; 1.0 equals the full head. Null: the full head on every rank.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SampleRate { get; init; }

    public double EffectiveLearningRate => LearningRate * BatchSize / ReferenceBatchSize;

    public double EffectiveMargin => Margin ?? (Mode == TrainingMode.CosFace ? Recipe.CosFaceMargin : Recipe.ArcFaceMargin);

    public bool Distils => Mode is TrainingMode.Distillation or TrainingMode.MultiStepDistillation;

    /// <summary>Every way this run differs from <see cref="Recipe"/>, one sentence each.</summary>
    public IReadOnlyList<string> Deviations => RecipeDeviations.Of(this);

    /// <summary>
    /// Learning-rate factor of a zero-based epoch, the reference's lr_step_func: ((epoch + 1) / (warmup + 1))²
    /// during warmup, then Gamma to the number of milestones m with m - 1 &lt;= epoch.
    /// </summary>
    public double LearningRateFactor(int epoch) => epoch < WarmupEpochs
        ? Math.Pow((epoch + 1.0) / (WarmupEpochs + 1), 2)
        : Math.Pow(Gamma, Milestones.Count(m => m - 1 <= epoch));

    /// <summary>These options with milestones of one's own (null: keep the recipe's schedule and its note).</summary>
    public TrainingOptions WithMilestones(IReadOnlyList<int>? milestones) =>
        milestones is null ? this : this with { Milestones = milestones, ScheduleNote = null };

    /// <summary>
    /// Options with every value from <paramref name="recipe"/>; a run of <paramref name="epochs"/> epochs other than
    /// the recipe's gets the recipe's schedule scaled (<see cref="ScheduleScaling"/>), which <see cref="ScheduleNote"/> states.
    /// </summary>
    public static TrainingOptions FromRecipe(TrainingRecipe recipe, TrainingMode mode, ModelConfig model, DataSource data, int? epochs = null)
    {
        int runEpochs = epochs ?? recipe.Epochs;
        ScheduleScaling schedule = recipe.ScheduleFor(runEpochs);
        return new TrainingOptions
        {
            Recipe = recipe,
            Mode = mode,
            Model = model,
            Data = data,
            Epochs = runEpochs,
            Milestones = schedule.Milestones,
            ScheduleNote = schedule.Note,
            Gamma = recipe.Gamma,
            WarmupEpochs = recipe.WarmupEpochs,
            BatchSize = recipe.BatchSize,
            LearningRate = recipe.LearningRate,
            Momentum = recipe.Momentum,
            WeightDecay = recipe.WeightDecay,
            GradientClip = recipe.GradientClip,
            Scale = recipe.Scale,
            DistillationWeight = recipe.DistillationWeight,
        };
    }

    /// <summary>Rejects impossible combinations with a message that names the option.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, not {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"batch size must be at least 2, not {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, not {LearningRate}");
        if (Milestones.Any(m => m < 1)) throw new ArgumentException("milestones count epochs from 1");
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs) throw new ArgumentException($"warmup epochs must lie in 0..{Epochs - 1}, not {WarmupEpochs}");
        if (GradientClip is <= 0) throw new ArgumentException($"gradient clip must be positive, not {GradientClip}");
        if (!(WeightDecay >= 0 && WeightDecay < 1)) throw new ArgumentException($"weight decay must lie in [0, 1), not {WeightDecay}");
        if (Optimizer == TrainingOptimizer.AdamW && EffectiveLearningRate * WeightDecay >= 1)
            throw new ArgumentException($"--optimizer adamw shrinks weights by lr x weight decay per step; {EffectiveLearningRate:G4} x {WeightDecay:G4} is at least 1, which zeroes them");
        if (LogEverySteps < 1) throw new ArgumentException("log-every must be at least 1 step");
        if (Mode == TrainingMode.Distillation && (Teacher is null || TeacherWeights is null))
            throw new ArgumentException("distillation needs a teacher model and its weights (--teacher, --teacher-weights)");
        if (Mode == TrainingMode.MultiStepDistillation && (Teacher is null || TeacherRun is null))
            throw new ArgumentException("multi-step distillation needs a teacher model and the teacher's run folder (--teacher, --teacher-run)");
        if (Distils && Teacher!.EmbeddingSize != Model.EmbeddingSize)
            throw new ArgumentException($"the teacher's embedding size ({Teacher.EmbeddingSize}) must equal the student's ({Model.EmbeddingSize})");
        Distributed?.Validate();
        if (SampleRate is { } rate && !(rate >= 0.1 && rate <= 1)) throw new ArgumentException($"--sample-rate must lie in 0.1..1.0, not {rate}");
        if (InitWeights is not null && !File.Exists(InitWeights)) throw new ArgumentException($"--init: weights file {InitWeights} does not exist");
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<TrainingOptimizer>))]
public enum TrainingOptimizer
{
    /// <summary>SGD with momentum, weight decay as L2 (torch.optim.SGD).</summary>
    Sgd,

    /// <summary>Adam with decoupled weight decay (torch.optim.AdamW).</summary>
    AdamW,
}

[JsonConverter(typeof(JsonStringEnumConverter<TrainingPrecision>))]
public enum TrainingPrecision
{
    Fp32,

    /// <summary>bfloat16 autocast (CPUs with AVX-512 BF16 or AMX, recent GPUs); float32's range, so no loss scaling.</summary>
    Bf16,

    /// <summary>float16 autocast on CUDA, with dynamic loss scaling (<see cref="PocketNet.Torch.Optim.GradScaler"/>).</summary>
    Fp16,
}

/// <summary>A training set by format and location, as recorded in run.json.</summary>
public sealed record DataSource(string Format, string Path)
{
    public override string ToString() => $"{Format}:{Path}";
}
