namespace PocketNet.Torch.Optim;

/// <summary>
/// A set of parameters that share a learning rate and weight decay, as one entry of PyTorch's
/// <c>param_groups</c>. Trainers give the backbone and the margin head separate groups; a value left
/// null takes the optimiser's default when the group is handed to it.
/// </summary>
public sealed class ParamGroup
{
    private double? _learningRate;
    private double? _weightDecay;

    /// <param name="parameters">Leaf tensors to train; the caller (usually a module) keeps ownership.</param>
    /// <param name="learningRate">This group's learning rate, or null for the optimiser's.</param>
    /// <param name="weightDecay">This group's L2 weight decay, or null for the optimiser's.</param>
    /// <param name="learningRateScale">
    /// Factor applied when <see cref="Optimizer.LearningRate"/> is set for all groups, so a schedule keeps
    /// the ratio between groups (a head trained at 10x the backbone's rate, say).
    /// </param>
    public ParamGroup(IEnumerable<Tensor> parameters, double? learningRate = null, double? weightDecay = null, double learningRateScale = 1)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (learningRate is { } lr) CheckNonNegative(lr, "learning rate");
        if (weightDecay is { } wd) CheckNonNegative(wd, "weight decay");
        if (!(learningRateScale > 0) || double.IsInfinity(learningRateScale))
            throw new ArgumentOutOfRangeException(nameof(learningRateScale), learningRateScale, "the learning-rate scale must be positive and finite");
        _learningRate = learningRate;
        _weightDecay = weightDecay;
        LearningRateScale = learningRateScale;
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    public double LearningRate
    {
        get => _learningRate ?? throw new InvalidOperationException("the group has no learning rate until it is given to an optimiser");
        set
        {
            CheckNonNegative(value, "learning rate");
            _learningRate = value;
        }
    }

    public double WeightDecay
    {
        get => _weightDecay ?? throw new InvalidOperationException("the group has no weight decay until it is given to an optimiser");
        set
        {
            CheckNonNegative(value, "weight decay");
            _weightDecay = value;
        }
    }

    public double LearningRateScale { get; }

    /// <summary>The optimiser this group belongs to; a group serves one optimiser only.</summary>
    internal Optimizer? Owner { get; set; }

    internal void ApplyDefaults(double learningRate, double weightDecay)
    {
        _learningRate ??= learningRate;
        _weightDecay ??= weightDecay;
    }

    private static void CheckNonNegative(double value, string what)
    {
        // NaN fails both comparisons, so it is rejected here too.
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(what, value, $"the {what} must be a finite non-negative number");
    }
}
