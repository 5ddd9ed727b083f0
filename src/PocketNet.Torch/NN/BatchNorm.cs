namespace PocketNet.Torch.NN;

/// <summary>
/// Batch normalisation over the channel dimension, with the state_dict layout of PyTorch's
/// (weight, bias, running_mean, running_var, num_batches_tracked).
/// </summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    private readonly int _expectedRank;

    protected BatchNorm(long numFeatures, int expectedRank, double eps, double momentum, bool affine)
    {
        _expectedRank = expectedRank;
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensors.Ones([numFeatures]));
            Bias = RegisterParameter("bias", Tensors.Zeros([numFeatures]));
        }
        RunningMean = RegisterBuffer("running_mean", Tensors.Zeros([numFeatures]));
        RunningVar = RegisterBuffer("running_var", Tensors.Ones([numFeatures]));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensors.Zeros([], ScalarType.Int64));
    }

    public long NumFeatures { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public Tensor NumBatchesTracked { get; }

    /// <summary>
    /// When set, training-mode statistics are taken over the batches of every rank of this group
    /// (torch.nn.SyncBatchNorm); evaluation mode still uses the running statistics. Set by
    /// <see cref="Distributed.DataParallel"/> for --sync-bn.
    /// </summary>
    public Distributed.ProcessGroup? SyncGroup { get; set; }

    public override Tensor Forward(Tensor input)
    {
        int rank = input.Dim;
        if (rank != _expectedRank && !(_expectedRank == 2 && rank == 3))
            throw new ArgumentException($"{GetType().Name} expects a {_expectedRank}-D input, got {input}");
        if (IsTraining)
            using (Engine.NoGrad()) NumBatchesTracked.AddInPlace(1);
        Tensor output = IsTraining && SyncGroup is { } group
            ? group.SyncBatchNorm(input, Weight, Bias, RunningMean, RunningVar, Momentum, Eps)
            : Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Momentum, Eps);
        return LayerObserver.Notify(this, input, output);
    }
}

/// <summary>Batch normalisation of [N, C] (or [N, C, L]) inputs.</summary>
public sealed class BatchNorm1d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true)
    : BatchNorm(numFeatures, 2, eps, momentum, affine);

/// <summary>Batch normalisation of [N, C, H, W] inputs.</summary>
public sealed class BatchNorm2d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true)
    : BatchNorm(numFeatures, 4, eps, momentum, affine);
