using PocketNet.Models.Heads;
using PocketNet.Torch;
using PocketNet.Torch.Distributed;
using PocketNet.Torch.Optim;
using PocketNet.Training.Loading;

namespace PocketNet.Training.Distributed;

/// <summary>
/// Partial FC (An et al., ICCV 2021 workshops; arcface_torch's PartialFC_V2): the margin head's class centres are
/// split across the ranks instead of copied to each, so a head of 85,742 (MS1MV2) or 360,232 (Glint360K) identities
/// costs each GPU 1/W of its memory and matrix product. Per step every rank
/// <list type="number">
/// <item>all-gathers the global batch's embeddings and labels,</item>
/// <item>keeps its own centres of the classes present in that batch plus a random share of the others, so that
/// <see cref="SampleRate"/> of its centres take part (all of them at 1.0),</item>
/// <item>computes logits against those centres with the margin on the targets it holds, and the softmax
/// cross-entropy over all ranks' logits (a max and two sums all-reduced),</item>
/// <item>back-propagates into its centres and into the gathered embeddings, and sums the latter across ranks.</item>
/// </list>
/// The loss is the mean over the global batch. What comes back for the local embeddings is the gradient of that
/// loss times W, because DDP then averages the backbone's gradients over the W ranks: the backbone thus gets the
/// gradient one process with the global batch would, and at sample rate 1.0 the whole step equals the full head's.
/// Centres are not averaged across ranks (each rank owns its own); their momentum and weight decay stay local.
/// </summary>
public sealed class PartialFc : IDisposable
{
    private readonly ProcessGroup? _group;
    private readonly int _seed;

    /// <param name="full">
    /// The whole head as every rank initialised it from the run's seed or loaded it from the checkpoint (so it is the
    /// same on every rank). It may stay on the CPU: only its columns [Start, Start + Count) go to the shard's device.
    /// </param>
    /// <param name="createShard">Builds a head of the same kind for a given number of classes.</param>
    public PartialFc(MarginHead full, Func<int, MarginHead> createShard, ProcessGroup? group, Device device, double sampleRate, int seed)
    {
        if (!(sampleRate > 0 && sampleRate <= 1)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be in (0, 1]");
        _group = group;
        _seed = seed;
        SampleRate = sampleRate;
        Classes = full.Classes;
        (Start, Count) = ShardOf(full.Classes, group?.Rank ?? 0, group?.WorldSize ?? 1);
        if (Count < 2)
            throw new ArgumentException($"{full.Classes} classes over {group?.WorldSize ?? 1} ranks leave rank {group?.Rank ?? 0} {Count}: Partial FC needs at least 2 per rank");
        Shard = createShard(Count);
        Shard.To(device).To(full.Kernel.DType);
        using (Engine.NoGrad())
        using (DisposeScope.Enter())
            Shard.Kernel.CopyFrom(full.Kernel.Narrow(1, Start, Count));
    }

    /// <summary>This rank's centres: a head of <see cref="Count"/> classes, the global classes [Start, Start + Count).</summary>
    public MarginHead Shard { get; }

    public int Start { get; }
    public int Count { get; }
    public int Classes { get; }
    public double SampleRate { get; }

    /// <summary>The classes rank <paramref name="rank"/> holds: equal shares, the first Classes mod W ranks one more (as arcface_torch splits them).</summary>
    public static (int Start, int Count) ShardOf(int classes, int rank, int worldSize)
    {
        int share = classes / worldSize, extra = classes % worldSize;
        return (rank * share + Math.Min(rank, extra), share + (rank < extra ? 1 : 0));
    }

    /// <summary>
    /// One step's loss over the global batch (labels: global class indices, int64). The centres' gradient is
    /// accumulated into <see cref="Shard"/>'s kernel; the returned tensor is what to back-propagate into
    /// <paramref name="embeddings"/> (see the class remarks for its factor W).
    /// </summary>
    public PartialFcStep Step(Tensor embeddings, Tensor labels, long globalStep)
    {
        using var scope = DisposeScope.Enter();
        int world = _group?.WorldSize ?? 1, rank = _group?.Rank ?? 0;
        long batch = embeddings.Shape[0];
        Tensor gathered = Gather(embeddings.Detach()).RequiresGradient();
        long[] globalLabels = Gather(labels).ToArray<long>();
        var (columns, localLabels) = Sample(globalLabels, globalStep);

        Tensor centres = columns is null ? Shard.Kernel : Shard.Kernel.IndexSelect(1, Tensors.FromArray(columns).To(labels.Device));
        Tensor local = Tensors.FromArray(localLabels).To(labels.Device);
        Tensor logits = Shard.Logits(MarginHead.CosineSimilarities(gathered, centres), local);

        var (loss, logitsGradient) = CrossEntropy(logits.Detach(), local);
        logits.Backward(logitsGradient);
        Tensor embeddingGradient = gathered.Grad!;
        _group?.AllReduce(ReduceOp.Sum, embeddingGradient);
        Tensor mine = embeddingGradient.Narrow(0, rank * batch, batch) * world;
        return new PartialFcStep(loss, mine.MoveToOuterScope());
    }

    /// <summary>
    /// Softmax cross-entropy over logits split by columns across ranks, and its gradient with respect to this
    /// rank's logits: (softmax - one-hot) / N. Computed as log-sum-exp around the global row maximum, as
    /// F.cross_entropy does, so that a logit of s = 64 does not overflow.
    /// </summary>
    private (double Loss, Tensor Gradient) CrossEntropy(Tensor logits, Tensor localLabels)
    {
        using var scope = DisposeScope.Enter();
        Tensor max = logits.Amax(1, keepDim: true);
        _group?.AllReduce(ReduceOp.Max, max);
        Tensor shifted = logits - max;
        Tensor exp = shifted.Exp();
        Tensor sum = exp.Sum(1, keepDim: true);
        _group?.AllReduce(ReduceOp.Sum, sum);

        Tensor present = localLabels.Ge(0).View(-1, 1);
        Tensor index = Tensors.Where(present, localLabels.View(-1, 1), Tensors.ZerosLike(localLabels.View(-1, 1)));
        Tensor target = Tensors.Where(present, shifted.Gather(1, index), Tensors.ZerosLike(max)); // only its holder has it
        _group?.AllReduce(ReduceOp.Sum, target);
        double loss = (sum.Log() - target).Mean().Item();

        Tensor softmax = exp / sum;
        Tensor oneHot = Tensors.ZerosLike(softmax).Scatter(1, index, present.To(softmax.DType));
        return (loss, ((softmax - oneHot) / logits.Shape[0]).MoveToOuterScope());
    }

    /// <summary>
    /// The centres that take part this step, as columns of the shard (null: all of them), and each row's label as
    /// an index into those columns (-1: not held here). Positives always take part; the negatives are a random
    /// draw from (seed, step, rank), so a resumed run draws the same ones.
    /// </summary>
    private (long[]? Columns, long[] LocalLabels) Sample(long[] labels, long globalStep)
    {
        var local = new long[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= Classes) throw new ArgumentException($"label {labels[i]} is outside the head's {Classes} classes");
            long offset = labels[i] - Start;
            local[i] = offset >= 0 && offset < Count ? offset : -1;
        }
        int wanted = (int)(SampleRate * Count);
        if (wanted >= Count) return (null, local);

        var chosen = new SortedSet<long>(local.Where(l => l >= 0));
        int rank = _group?.Rank ?? 0;
        foreach (int column in DistributedSampler.Permutation(Count, unchecked(_seed * 1_000_003 + rank), (int)globalStep))
        {
            if (chosen.Count >= wanted) break;
            chosen.Add(column);
        }
        long[] columns = chosen.ToArray();
        for (int i = 0; i < local.Length; i++)
            if (local[i] >= 0) local[i] = Array.BinarySearch(columns, local[i]);
        return (columns, local);
    }

    /// <summary>Takes this rank's columns of the full head's optimiser state (the momentum) into the shard's optimiser.</summary>
    public void TakeOptimizerState(Optimizer full, Optimizer shard)
    {
        using var scope = DisposeScope.Enter();
        OptimizerState state = full.StateDict();
        shard.LoadState(state.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Narrow(1, Start, Count)), state.Scalars);
    }

    /// <summary>
    /// Collective (every rank calls it): assembles all ranks' centres and optimiser state into the full head and its
    /// optimiser on rank 0, which then writes them in the checkpoint as a full head's, so a checkpoint does not
    /// depend on the world size that wrote it.
    /// </summary>
    public void GatherInto(MarginHead full, Optimizer fullOptimizer, Optimizer shardOptimizer)
    {
        using var scope = DisposeScope.Enter();
        OptimizerState state = shardOptimizer.StateDict();
        Tensor kernel = Assemble(Shard.Kernel);
        var buffers = state.Tensors.ToDictionary(kv => kv.Key, kv => Assemble(kv.Value));
        if ((_group?.Rank ?? 0) != 0) return;
        using (Engine.NoGrad()) full.Kernel.CopyFrom(kernel);
        fullOptimizer.LoadState(buffers, state.Scalars);
    }

    /// <summary>[E, Count] on each rank to [E, Classes] in class order (shards padded to the widest for the all-gather).</summary>
    private Tensor Assemble(Tensor shard)
    {
        if (_group is null) return shard;
        int world = _group.WorldSize, widest = ShardOf(Classes, 0, world).Count;
        Tensor padded = Count == widest ? shard : Tensors.Cat([shard, Tensors.Zeros([shard.Shape[0], widest - Count], shard.DType, shard.Device)], 1);
        Tensor stacked = _group.AllGather(padded.Contiguous());
        return Tensors.Cat(Enumerable.Range(0, world).Select(r => stacked.Select(0, r).Narrow(1, 0, ShardOf(Classes, r, world).Count)).ToList(), 1);
    }

    private Tensor Gather(Tensor tensor)
    {
        if (_group is null) return tensor;
        Tensor stacked = _group.AllGather(tensor.Contiguous());
        return stacked.Reshape([stacked.Shape[0] * stacked.Shape[1], .. stacked.Shape[2..]]);
    }

    public void Dispose() => Shard.Dispose();
}

/// <summary>One Partial FC step: the loss over the global batch and the gradient for this rank's embeddings.</summary>
public sealed record PartialFcStep(double Loss, Tensor EmbeddingGradient);
