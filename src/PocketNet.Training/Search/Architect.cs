using PocketNet.Models.Search;
using PocketNet.Torch;
using PocketNet.Torch.Distributed;
using PocketNet.Torch.NN;
using PocketNet.Torch.Optim;

namespace PocketNet.Training.Search;

/// <summary>
/// Computes the architecture gradient of DARTS and stores it in the alphas' .Grad (the reference's
/// Architect). First order: ∇α L_val(w, α). Second order (unrolled): with the virtual SGD step
/// w' = w − ξ·(μ·buf + ∇w L_trn(w, α) + λ·w) (the step the weight optimiser would take, momentum
/// buffer and weight decay included),
/// <c>∇α L_val(w', α) − ξ · ∇²α,w L_trn(w, α) · ∇w' L_val(w', α)</c>, the Hessian-vector product by
/// central differences at w ± ε·∇w' L_val with ε = 0.01 / ‖∇w' L_val‖. w' lives in a second supernet
/// (the reference's v_net), so the real weights are only perturbed for the two difference passes and
/// restored exactly afterwards.
/// In a data-parallel search every gradient that steers the computation (the virtual step's, the validation
/// gradient that sets the Hessian-vector product's direction and ε) and the result are averaged over the ranks,
/// so all ranks compute the architecture gradient of the global batch and stay identical.
/// </summary>
public sealed class Architect
{
    /// <summary>The reference's ε·‖v‖ of the Hessian-vector product's central difference.</summary>
    public const double ReferenceFiniteDifferenceScale = 0.01;

    private readonly SearchNetwork _network;
    private readonly SearchNetwork? _unrolled;
    private readonly double _momentum;
    private readonly double _weightDecay;
    private readonly double _finiteDifferenceScale;
    private readonly ProcessGroup? _group;

    /// <param name="unrolled">A supernet of the same shape to hold w' (second order); null for first order.</param>
    /// <param name="momentum">The weight optimiser's momentum μ.</param>
    /// <param name="weightDecay">The weight optimiser's weight decay λ.</param>
    /// <param name="finiteDifferenceScale">ε·‖v‖ of the Hessian-vector product's central difference (tests shrink it).</param>
    /// <param name="group">The ranks of a data-parallel search, each holding its share of the batches; null alone.</param>
    public Architect(SearchNetwork network, SearchNetwork? unrolled, double momentum, double weightDecay,
        double finiteDifferenceScale = ReferenceFiniteDifferenceScale, ProcessGroup? group = null)
    {
        _group = group;
        if (!(finiteDifferenceScale > 0)) throw new ArgumentOutOfRangeException(nameof(finiteDifferenceScale), finiteDifferenceScale, "must be positive");
        if (unrolled is not null && unrolled.Weights().Count != network.Weights().Count)
            throw new ArgumentException("the unrolled network must have the search network's shape", nameof(unrolled));
        (_network, _unrolled, _momentum, _weightDecay, _finiteDifferenceScale) = (network, unrolled, momentum, weightDecay, finiteDifferenceScale);
    }

    public bool SecondOrder => _unrolled is not null;

    /// <summary>
    /// Replaces every alpha's gradient with the architecture gradient and returns the validation loss
    /// (at w' for second order). Tensors it creates belong to the caller's dispose scope.
    /// </summary>
    /// <param name="xi">ξ, the virtual step's learning rate (the weights' current learning rate, as the reference).</param>
    /// <param name="weightOptimizer">The weights' optimiser, whose momentum buffers enter the virtual step (second order only).</param>
    public double Backward(Tensor trainImages, Tensor trainLabels, Tensor validationImages, Tensor validationLabels,
        double xi, Optimizer? weightOptimizer)
    {
        IReadOnlyList<Tensor> alphas = _network.Alphas();
        if (_unrolled is null)
        {
            Tensor loss = Loss(_network, validationImages, validationLabels);
            Tensor?[] gradients = Autograd.Grad([loss], alphas, allowUnused: true);
            Tensor[] averaged = AverageOverRanks(gradients, alphas);
            for (int i = 0; i < alphas.Count; i++) alphas[i].Grad = averaged[i];
            return loss.Item();
        }

        IReadOnlyList<Tensor> weights = _network.Weights();
        VirtualStep(weights, trainImages, trainLabels, xi, weightOptimizer);

        // L_val(w', α) and its gradients with respect to the unrolled network's alphas and weights.
        IReadOnlyList<Tensor> unrolledAlphas = _unrolled.Alphas();
        IReadOnlyList<Tensor> unrolledWeights = _unrolled.Weights();
        Tensor validationLoss = Loss(_unrolled, validationImages, validationLabels);
        Tensor?[] all = Autograd.Grad([validationLoss], [.. unrolledAlphas, .. unrolledWeights], allowUnused: true);
        Tensor[] averagedAll = AverageOverRanks(all, [.. alphas, .. weights]);
        Tensor[] dAlpha = averagedAll[..alphas.Count];
        Tensor[] dWeights = averagedAll[alphas.Count..];

        Tensor[] hessian = AverageOverRanks(HessianVectorProduct(weights, alphas, dWeights, trainImages, trainLabels), alphas);
        using (Engine.NoGrad())
            for (int i = 0; i < alphas.Count; i++)
                alphas[i].Grad = dAlpha[i] - hessian[i] * xi;
        return validationLoss.Item();
    }

    private static Tensor Loss(SearchNetwork network, Tensor images, Tensor labels) =>
        Functional.CrossEntropy(network.Forward(images), labels);

    /// <summary>Writes w' = w − ξ·(μ·buf + g + λ·w) into the unrolled network and copies the alphas over.</summary>
    private void VirtualStep(IReadOnlyList<Tensor> weights, Tensor trainImages, Tensor trainLabels, double xi, Optimizer? weightOptimizer)
    {
        Tensor loss = Loss(_network, trainImages, trainLabels);
        Tensor[] gradients = AverageOverRanks(Autograd.Grad([loss], weights, allowUnused: true), weights);
        Dictionary<Tensor, Tensor> buffers = MomentumBuffers(weightOptimizer);
        IReadOnlyList<Tensor> unrolledWeights = _unrolled!.Weights();
        using var noGrad = Engine.NoGrad();
        for (int i = 0; i < weights.Count; i++)
        {
            Tensor w = weights[i];
            Tensor step = gradients[i].Clone();
            if (_momentum != 0 && buffers.TryGetValue(w, out Tensor? buffer)) step.AddInPlace(buffer, _momentum);
            if (_weightDecay != 0) step.AddInPlace(w, _weightDecay);
            unrolledWeights[i].CopyFrom(w - step * xi);
        }
        IReadOnlyList<Tensor> alphas = _network.Alphas(), unrolledAlphas = _unrolled.Alphas();
        for (int i = 0; i < alphas.Count; i++) unrolledAlphas[i].CopyFrom(alphas[i]);
    }

    /// <summary>
    /// ∇²α,w L_trn(w, α) · v ≈ (∇α L_trn(w + εv, α) − ∇α L_trn(w − εv, α)) / 2ε, ε = 0.01 / ‖v‖.
    /// </summary>
    private Tensor[] HessianVectorProduct(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> alphas, Tensor[] direction,
        Tensor trainImages, Tensor trainLabels)
    {
        double norm;
        using (Engine.NoGrad())
            norm = Math.Sqrt(direction.Sum(d => d.Square().Sum().Item()));
        if (!(norm > 0)) return alphas.Select(Tensors.ZerosLike).ToArray();
        double eps = _finiteDifferenceScale / norm;

        Tensor[] saved;
        using (Engine.NoGrad())
        {
            saved = weights.Select(w => w.Clone()).ToArray();
            for (int i = 0; i < weights.Count; i++) weights[i].AddInPlace(direction[i], eps);
        }
        Tensor[] plus = AlphaGradients(alphas, trainImages, trainLabels);
        using (Engine.NoGrad())
            for (int i = 0; i < weights.Count; i++) weights[i].CopyFrom(saved[i]).AddInPlace(direction[i], -eps);
        Tensor[] minus = AlphaGradients(alphas, trainImages, trainLabels);
        using (Engine.NoGrad())
        {
            for (int i = 0; i < weights.Count; i++) weights[i].CopyFrom(saved[i]);
            return Enumerable.Range(0, alphas.Count).Select(i => (plus[i] - minus[i]) / (2 * eps)).ToArray();
        }
    }

    private Tensor[] AlphaGradients(IReadOnlyList<Tensor> alphas, Tensor images, Tensor labels)
    {
        Tensor loss = Loss(_network, images, labels);
        Tensor?[] gradients = Autograd.Grad([loss], alphas, allowUnused: true);
        return Enumerable.Range(0, alphas.Count).Select(i => gradients[i] ?? Tensors.ZerosLike(alphas[i])).ToArray();
    }

    /// <summary>Gradients (zeros where a tensor was unused) averaged over the ranks, in place; alone, just the gradients.</summary>
    private Tensor[] AverageOverRanks(IReadOnlyList<Tensor?> gradients, IReadOnlyList<Tensor> of)
    {
        Tensor[] filled = Enumerable.Range(0, of.Count).Select(i => gradients[i] ?? Tensors.ZerosLike(of[i])).ToArray();
        if (_group is null || filled.Length == 0) return filled;
        // one collective for all of them: hundreds of small all-reduces would each wait for every rank
        Tensor flat = Tensors.Cat(filled.Select(g => g.Reshape(-1)).ToList());
        _group.AllReduce(ReduceOp.Average, flat);
        long offset = 0;
        for (int i = 0; i < filled.Length; i++)
        {
            filled[i] = flat.Narrow(0, offset, filled[i].NumEl).View(filled[i].Shape);
            offset += filled[i].NumEl;
        }
        return filled;
    }

    /// <summary>The optimiser's momentum buffers by parameter (none before its first step).</summary>
    private static Dictionary<Tensor, Tensor> MomentumBuffers(Optimizer? optimizer)
    {
        var buffers = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        if (optimizer is null) return buffers;
        var byKey = optimizer.StateDict().Tensors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        for (int i = 0; i < optimizer.Parameters.Count; i++)
            if (byKey.TryGetValue(OptimizerState.TensorKey(i, "momentum_buffer"), out Tensor? buffer))
                buffers[optimizer.Parameters[i]] = buffer;
        return buffers;
    }
}
