using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// EdgeFace's LoRaLin: a linear layer in → out factored as in → rank (no bias) → out (with the replaced layer's
/// bias), so its weights cost rank·(in + out) instead of in·out. State-dict names linear1, linear2 as the official code.
/// </summary>
public sealed class LowRankLinear : Module<Tensor, Tensor>
{
    private readonly Linear _linear1, _linear2;

    public LowRankLinear(long inFeatures, long outFeatures, long rank, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Rank = rank;
        _linear1 = RegisterModule("linear1", new Linear(inFeatures, rank, bias: false));
        _linear2 = RegisterModule("linear2", new Linear(rank, outFeatures, bias));
    }

    public long Rank { get; }

    /// <summary>
    /// The layer EdgeFace puts where EdgeNeXt has an nn.Linear: full rank when <paramref name="rankRatio"/> is null,
    /// else low rank max(2, ⌊γ·min(in, out)⌋) (the official replace_linear_with_lowrank_2, head included).
    /// </summary>
    public static Module<Tensor, Tensor> Create(long inFeatures, long outFeatures, double? rankRatio, bool bias = true) =>
        rankRatio is { } gamma
            ? new LowRankLinear(inFeatures, outFeatures, Math.Max(2, (long)(Math.Min(inFeatures, outFeatures) * gamma)), bias)
            : new Linear(inFeatures, outFeatures, bias);

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _linear2.Forward(_linear1.Forward(input)).MoveToOuterScope();
    }
}
