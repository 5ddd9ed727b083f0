using PocketNet.Training.Recognition;

namespace PocketNet.Training.Search;

/// <summary>
/// What a DARTS architecture search does. Defaults are PocketNet's search (FACTS.md, the reference's
/// NAS/util/config.py): a supernet of 8 cells, C = 16, stem multiplier 3, 4 nodes; 50 epochs at batch
/// 128; weights by SGD (lr 0.1 annealed by a cosine per epoch to 0.004, momentum 0.9, weight decay
/// 3e-4, gradient clip 5); alphas by Adam (lr 1.2e-3, betas (0.5, 0.999), weight decay 1e-3); the
/// unrolled second-order architecture gradient; seed 2.
/// </summary>
public sealed record SearchOptions
{
    /// <summary>Where the training images come from (resolved by the application layer); split in halves for weights and alphas.</summary>
    public required DataSource Data { get; init; }

    public int Epochs { get; init; } = 50;

    public int BatchSize { get; init; } = 128;

    public double WeightLearningRate { get; init; } = 0.1;

    /// <summary>The rate the cosine ends at (reached after the last epoch, as CosineAnnealingLR's eta_min).</summary>
    public double WeightLearningRateMin { get; init; } = 0.004;

    public double WeightMomentum { get; init; } = 0.9;

    public double WeightDecay { get; init; } = 3e-4;

    /// <summary>Maximum L2 norm of the weights' gradient; null: no clipping.</summary>
    public double? GradientClip { get; init; } = 5;

    public double AlphaLearningRate { get; init; } = 1.2e-3;

    public double AlphaBeta1 { get; init; } = 0.5;

    public double AlphaBeta2 { get; init; } = 0.999;

    public double AlphaWeightDecay { get; init; } = 1e-3;

    /// <summary>Initial cell width C of the supernet.</summary>
    public int Channels { get; init; } = 16;

    public int Cells { get; init; } = 8;

    /// <summary>Intermediate nodes per cell.</summary>
    public int Nodes { get; init; } = 4;

    public int StemMultiplier { get; init; } = 3;

    /// <summary>
    /// True: the unrolled second-order architecture gradient of DARTS (virtual SGD step, finite-difference
    /// Hessian-vector product), as the reference. False: the first-order approximation, the gradient of
    /// the validation loss at the current weights.
    /// </summary>
    public bool SecondOrder { get; init; } = true;

    /// <summary>
    /// True, as the reference's search.py: the alpha update is applied after the weight step, so the
    /// gradient of the training step's loss with respect to the alphas (its backward reaches them too) is
    /// added to the architecture gradient. False: textbook DARTS, the alphas step on the architecture
    /// gradient alone before the weight step.
    /// </summary>
    public bool ReferenceStepOrder { get; init; } = true;

    /// <summary>Validation batches for the top-1 accuracy after each epoch; 0: the whole validation half (as the reference).</summary>
    public int ValidationBatches { get; init; }

    /// <summary>
    /// True: the result is the genotype of the epoch with the best validation top-1 (the later one on a
    /// tie), as the reference reports its "Best Genotype". False: the last epoch's.
    /// </summary>
    public bool KeepBestGenotype { get; init; } = true;

    /// <summary>Cell width of the network the result describes (model/config.json).</summary>
    public int FinalChannels { get; init; } = 16;

    /// <summary>Cells of the network the result describes.</summary>
    public int FinalCells { get; init; } = 18;

    /// <summary>Embedding size of the network the result describes.</summary>
    public int FinalEmbedding { get; init; } = 128;

    public int Seed { get; init; } = 2;

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Data-parallel settings (sync-bn, buckets); null: defaults. Only used when the search is one of several ranks.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Distributed.DistributedOptions? Distributed { get; init; }

    /// <summary>Steps between progress events.</summary>
    public int LogEverySteps { get; init; } = 10;

    /// <summary>Rejects impossible settings with a message that names the option.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, not {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"batch size must be at least 2, not {BatchSize}");
        if (!(WeightLearningRate > 0)) throw new ArgumentException($"weight learning rate must be positive, not {WeightLearningRate}");
        if (!(WeightLearningRateMin >= 0) || WeightLearningRateMin > WeightLearningRate)
            throw new ArgumentException($"the minimum weight learning rate must lie in [0, {WeightLearningRate}], not {WeightLearningRateMin}");
        if (!(WeightMomentum >= 0)) throw new ArgumentException($"momentum must be non-negative, not {WeightMomentum}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"weight decay must be non-negative, not {WeightDecay}");
        if (GradientClip is <= 0) throw new ArgumentException($"gradient clip must be positive, not {GradientClip}");
        if (!(AlphaLearningRate > 0)) throw new ArgumentException($"alpha learning rate must be positive, not {AlphaLearningRate}");
        if (!(AlphaBeta1 is >= 0 and < 1) || !(AlphaBeta2 is >= 0 and < 1)) throw new ArgumentException("alpha betas must lie in [0, 1)");
        if (!(AlphaWeightDecay >= 0)) throw new ArgumentException($"alpha weight decay must be non-negative, not {AlphaWeightDecay}");
        if (Channels < 1) throw new ArgumentException($"channels must be at least 1, not {Channels}");
        if (Cells < 1) throw new ArgumentException($"cells must be at least 1, not {Cells}");
        if (Nodes < 1) throw new ArgumentException($"nodes must be at least 1, not {Nodes}");
        if (StemMultiplier < 1) throw new ArgumentException($"stem multiplier must be at least 1, not {StemMultiplier}");
        if (ValidationBatches < 0) throw new ArgumentException("validation batches must be 0 (all) or more");
        if (FinalChannels < 2) throw new ArgumentException($"final channels must be at least 2, not {FinalChannels}");
        if (FinalCells < 4) throw new ArgumentException($"a final network needs at least 4 cells, not {FinalCells}");
        if (FinalEmbedding < 1) throw new ArgumentException($"final embedding must be at least 1, not {FinalEmbedding}");
        if (LogEverySteps < 1) throw new ArgumentException("log-every must be at least 1 step");
        Distributed?.Validate();
    }
}
