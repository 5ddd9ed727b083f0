namespace PocketNet.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with the exact semantics of torch.optim.SGD: weight decay is added to
/// the gradient, the momentum buffer starts as a copy of the first (decayed) gradient and then follows
/// <c>buf = momentum * buf + (1 - dampening) * d_p</c>, and Nesterov uses <c>d_p + momentum * buf</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string MomentumBuffer = "momentum_buffer";
    private static readonly string[] WithMomentum = [MomentumBuffer];

    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : this([new ParamGroup(parameters)], learningRate, momentum, dampening, weightDecay, nesterov)
    {
    }

    /// <param name="groups">Parameter groups; a group's unset learning rate and weight decay take these defaults.</param>
    public Sgd(IEnumerable<ParamGroup> groups, double learningRate, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base(groups, learningRate, weightDecay)
    {
        if (!(momentum >= 0) || double.IsInfinity(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be a finite non-negative number");
        if (double.IsNaN(dampening) || double.IsInfinity(dampening))
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "dampening must be finite");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a positive momentum and zero dampening");
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
    }

    public double Momentum { get; }

    public double Dampening { get; }

    public bool Nesterov { get; }

    protected override IReadOnlyList<string> StateNames => Momentum != 0 ? WithMomentum : [];

    protected override IReadOnlyDictionary<string, double> Options => new Dictionary<string, double>
    {
        ["momentum"] = Momentum,
        ["dampening"] = Dampening,
        ["nesterov"] = Nesterov ? 1 : 0,
    };

    protected override void Update(ParamGroup group, Tensor parameter, Tensor grad, ParameterState state)
    {
        // d_p must never alias the parameter's .grad when it is changed in place below, so every
        // modification works on a fresh tensor (released by the caller's scope).
        Tensor dp = grad;
        if (group.WeightDecay != 0) dp = grad.Clone().AddInPlace(parameter, group.WeightDecay);

        if (Momentum != 0)
        {
            Tensor? buffer = state.Get(MomentumBuffer);
            if (buffer is null)
                buffer = state.Set(MomentumBuffer, dp.Clone());
            else
                buffer.MulInPlace(Momentum).AddInPlace(dp, 1 - Dampening);

            dp = Nesterov ? dp.Clone().AddInPlace(buffer, Momentum) : buffer;
        }

        parameter.AddInPlace(dp, -group.LearningRate);
    }
}
