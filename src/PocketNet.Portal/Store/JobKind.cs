namespace PocketNet.Portal.Store;

/// <summary>What a job does.</summary>
public enum JobKind
{
    /// <summary>Trains a network (ArcFace, CosFace, KD or multi-step KD), registers the model, then evaluates it.</summary>
    Training,

    /// <summary>A DARTS architecture search; its result is a genotype.</summary>
    Search,

    /// <summary>Evaluates a stored model on benchmarks.</summary>
    Evaluation,
}
