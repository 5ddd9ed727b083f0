namespace PocketNet.Torch.Optim;

/// <summary>
/// Dynamic loss scaling for float16 training, with torch.cuda.amp.GradScaler's rule: the loss is multiplied by
/// <see cref="Scale"/> before backward so that small gradients survive float16's narrow range; the gradients are
/// divided by it again before clipping and the optimiser step. A step whose gradients hold an infinity or NaN
/// (the scale was too large) is skipped and the scale halved; after <see cref="GrowthInterval"/> finite steps in a
/// row it is doubled. bfloat16 has float32's range and needs none of this.
/// </summary>
public sealed class GradScaler
{
    public GradScaler(double initialScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000)
    {
        if (!(initialScale > 0) || double.IsInfinity(initialScale)) throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "must be positive");
        if (!(growthFactor > 1)) throw new ArgumentOutOfRangeException(nameof(growthFactor), growthFactor, "must exceed 1");
        if (!(backoffFactor > 0 && backoffFactor < 1)) throw new ArgumentOutOfRangeException(nameof(backoffFactor), backoffFactor, "must lie in (0, 1)");
        ArgumentOutOfRangeException.ThrowIfLessThan(growthInterval, 1);
        (Scale, GrowthFactor, BackoffFactor, GrowthInterval) = (initialScale, growthFactor, backoffFactor, growthInterval);
    }

    public double Scale { get; private set; }
    public double GrowthFactor { get; }
    public double BackoffFactor { get; }
    public int GrowthInterval { get; }

    /// <summary>Finite steps since the scale last changed.</summary>
    public int GrowthTracker { get; private set; }

    /// <summary>The loss to call backward on.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Divides the gradients of <paramref name="parameters"/> by the scale, in place, and says whether all of them
    /// are finite (one device synchronisation for all of them).
    /// </summary>
    public bool Unscale(IEnumerable<Tensor> parameters)
    {
        Tensor[] withGradients = parameters.Where(p => p.Grad is not null).ToArray();
        using (Engine.NoGrad())
            foreach (Tensor p in withGradients) p.Grad!.MulInPlace(1 / Scale);
        return AllFinite(withGradients);
    }

    /// <summary>Whether every gradient of <paramref name="parameters"/> is finite.</summary>
    public static bool AllFinite(IEnumerable<Tensor> parameters)
    {
        using var scope = DisposeScope.Enter();
        // a sum is finite exactly when every element is (short of a float32 overflow, itself a reason to back off)
        List<Tensor> sums = parameters.Where(p => p.Grad is not null).Select(p => p.Grad!.Sum().Reshape(1)).ToList();
        return sums.Count == 0 || double.IsFinite(Tensors.Cat(sums).To(ScalarType.Float64).Sum().Item());
    }

    /// <summary>After a step: backs off when it was skipped for non-finite gradients, grows after a run of finite ones.</summary>
    public void Update(bool finite)
    {
        if (!finite)
        {
            Scale *= BackoffFactor;
            GrowthTracker = 0;
        }
        else if (++GrowthTracker == GrowthInterval)
        {
            Scale *= GrowthFactor;
            GrowthTracker = 0;
        }
    }

    /// <summary>Continues from a checkpoint's scale and tracker, so that a resumed run scales as the uninterrupted one.</summary>
    public void Restore(double scale, int growthTracker)
    {
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "must be positive");
        ArgumentOutOfRangeException.ThrowIfNegative(growthTracker);
        (Scale, GrowthTracker) = (scale, growthTracker);
    }
}
