using PocketNet.Torch.NN;

namespace PocketNet.Torch.Distributed;

/// <summary>How gradients are averaged across ranks.</summary>
public enum GradientSync
{
    /// <summary>In buckets launched from gradient hooks during backward (PyTorch DDP's way).</summary>
    Bucketed,

    /// <summary>One all-reduce per parameter after backward: simpler, no overlap; the reference the bucketed path is checked against.</summary>
    PerTensor,
}

/// <summary>
/// Distributed data parallel over a set of modules trained together (a backbone and its margin head): at start
/// every parameter and buffer is broadcast from rank 0, so all ranks begin identical; per step,
/// <see cref="BeforeBackward"/> and <see cref="AfterBackward"/> bracket backward, after which every gradient is the
/// average over ranks; with <see cref="SyncBatchNorm"/> each batch norm normalises with statistics of the global
/// batch, otherwise batch norm is local and its buffers follow rank 0's at every step (DDP's broadcast_buffers).
/// </summary>
public sealed class DataParallel : IDisposable
{
    private readonly ProcessGroup _group;
    private readonly Module[] _modules;
    private readonly GradientReducer? _reducer;
    private readonly Tensor[] _parameters;

    public DataParallel(ProcessGroup group, IReadOnlyList<Module> modules, GradientSync sync = GradientSync.Bucketed,
        long bucketBytes = GradientReducer.DefaultBucketBytes, bool syncBatchNorm = false)
    {
        _group = group;
        _modules = modules.ToArray();
        SyncBatchNorm = syncBatchNorm;
        _parameters = _modules.SelectMany(m => m.Parameters()).Where(p => p.RequiresGrad).ToArray();
        using (Engine.NoGrad())
            group.Broadcast(0, _modules.SelectMany(m => m.Parameters().Concat(m.NamedBuffers().Select(b => b.Value))).ToArray());
        if (syncBatchNorm)
            foreach (BatchNorm bn in BatchNorms()) bn.SyncGroup = group;
        if (sync == GradientSync.Bucketed && _parameters.Length > 0) _reducer = new GradientReducer(group, _parameters, bucketBytes);
        Sync = sync;
    }

    public ProcessGroup Group => _group;
    public GradientSync Sync { get; }
    public bool SyncBatchNorm { get; }
    public int BucketCount => _reducer?.BucketCount ?? 0;

    /// <summary>Before the forward pass: local batch norm's buffers follow rank 0's, as DDP broadcasts them.</summary>
    public void BeforeForward()
    {
        if (SyncBatchNorm) return;
        Tensor[] buffers = BatchNorms()
            .SelectMany(bn => new[] { bn.RunningMean, bn.RunningVar }).ToArray();
        using (Engine.NoGrad()) _group.Broadcast(0, buffers);
    }

    /// <summary>Arms the bucketed reducer's hooks for the coming backward.</summary>
    public void BeforeBackward() => _reducer?.Prepare();

    /// <summary>After backward: every parameter's gradient becomes the average over ranks.</summary>
    public void AfterBackward()
    {
        if (_reducer is not null)
        {
            _reducer.Finish();
            return;
        }
        using var scope = DisposeScope.Enter();
        var grads = new Tensor[_parameters.Length];
        for (int i = 0; i < grads.Length; i++)
        {
            Tensor? grad = _parameters[i].Grad;
            if (grad is null) _parameters[i].Grad = grad = Tensors.ZerosLike(_parameters[i]); // unused this step: counts as zero
            grads[i] = grad;
        }
        _group.AllReduce(ReduceOp.Average, grads);
    }

    private IEnumerable<BatchNorm> BatchNorms() => _modules.SelectMany(m => m.NamedModules()).Select(m => m.Value).OfType<BatchNorm>();

    public void Dispose()
    {
        _reducer?.Dispose();
        foreach (BatchNorm bn in BatchNorms()) bn.SyncGroup = null;
    }
}
