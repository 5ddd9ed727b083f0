namespace PocketNet.Torch.Optim;

/// <summary>
/// Adam with the exact semantics of torch.optim.Adam: bias-corrected first and second moments, weight
/// decay added to the gradient as L2 (this is not AdamW), and optionally AMSGrad, which normalises by
/// the running maximum of the second moment. <see cref="AdamW"/> differs only in how it decays weights.
/// </summary>
public class Adam : Optimizer
{
    private const string ExpAvg = "exp_avg";
    private const string ExpAvgSq = "exp_avg_sq";
    private const string MaxExpAvgSq = "max_exp_avg_sq";
    private static readonly string[] Plain = [ExpAvg, ExpAvgSq];
    private static readonly string[] WithMax = [ExpAvg, ExpAvgSq, MaxExpAvgSq];

    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <param name="groups">Parameter groups; a group's unset learning rate and weight decay take these defaults.</param>
    public Adam(IEnumerable<ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(groups, learningRate, weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must lie in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must lie in [0, 1)");
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a finite non-negative number");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        AmsGrad = amsgrad;
    }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Eps { get; }

    public bool AmsGrad { get; }

    protected override IReadOnlyList<string> StateNames => AmsGrad ? WithMax : Plain;

    protected override IReadOnlyDictionary<string, double> Options => new Dictionary<string, double>
    {
        ["beta1"] = Beta1,
        ["beta2"] = Beta2,
        ["eps"] = Eps,
        ["amsgrad"] = AmsGrad ? 1 : 0,
    };

    protected override void Update(ParamGroup group, Tensor parameter, Tensor grad, ParameterState state)
    {
        Tensor g = ApplyWeightDecay(group, parameter, grad);

        Tensor expAvg = state.Get(ExpAvg) ?? state.Set(ExpAvg, Tensors.ZerosLike(parameter));
        Tensor expAvgSq = state.Get(ExpAvgSq) ?? state.Set(ExpAvgSq, Tensors.ZerosLike(parameter));
        expAvg.MulInPlace(Beta1).AddInPlace(g, 1 - Beta1);
        expAvgSq.MulInPlace(Beta2).AddcmulInPlace(g, g, 1 - Beta2);

        double step = state.Step;
        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        double stepSize = group.LearningRate / biasCorrection1;
        double biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);

        Tensor second = expAvgSq;
        if (AmsGrad)
        {
            Tensor max = state.Get(MaxExpAvgSq) ?? state.Set(MaxExpAvgSq, Tensors.ZerosLike(parameter));
            max.CopyFrom(max.Maximum(expAvgSq));
            second = max;
        }
        Tensor denom = (second.Sqrt() / biasCorrection2Sqrt).AddInPlace(Eps);
        parameter.AddcdivInPlace(expAvg, denom, -stepSize);
    }

    /// <summary>The gradient the moments follow: Adam's L2 decay adds <c>weight_decay * parameter</c> to it.</summary>
    protected virtual Tensor ApplyWeightDecay(ParamGroup group, Tensor parameter, Tensor grad) =>
        group.WeightDecay != 0 ? grad.Clone().AddInPlace(parameter, group.WeightDecay) : grad;
}
