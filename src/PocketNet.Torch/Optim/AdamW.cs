namespace PocketNet.Torch.Optim;

/// <summary>
/// AdamW with the exact semantics of torch.optim.AdamW (Loshchilov and Hutter, decoupled weight decay): before
/// the Adam update the parameter shrinks by <c>1 - lr * weight_decay</c>, and the moments see the plain gradient.
/// Under Adam's L2 decay the decay term is divided by the second moment, so weights with large gradients are
/// hardly decayed; here every weight decays at the same rate. PyTorch's default weight decay is 1e-2.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <param name="groups">Parameter groups; a group's unset learning rate and weight decay take these defaults.</param>
    public AdamW(IEnumerable<ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(groups, learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    protected override Tensor ApplyWeightDecay(ParamGroup group, Tensor parameter, Tensor grad)
    {
        if (group.WeightDecay != 0) parameter.MulInPlace(1 - group.LearningRate * group.WeightDecay);
        return grad;
    }
}
