using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// Transposed (cross-covariance) attention of the SDTA encoder (timm's CrossCovarianceAttn, from XCiT): per head,
/// queries and keys are L2-normalised across the N positions, their d×d channel affinity is scaled by a learned
/// per-head temperature and softmaxed, and mixes the values' channels. Linear in N, so it costs little at 28×28.
/// Input and output: tokens [B, N, C].
/// </summary>
public sealed class CrossCovarianceAttention : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _qkv, _proj;

    public CrossCovarianceAttention(long channels, int heads, double? rankRatio)
    {
        if (channels % heads != 0) throw new ArgumentException($"{channels} channels do not split into {heads} heads");
        Heads = heads;
        Temperature = RegisterParameter("temperature", Tensors.Ones([heads, 1, 1]));
        _qkv = RegisterModule("qkv", LowRankLinear.Create(channels, 3 * channels, rankRatio));
        _proj = RegisterModule("proj", LowRankLinear.Create(channels, channels, rankRatio));
    }

    public int Heads { get; }

    /// <summary>Learned softmax temperature per head, [heads, 1, 1].</summary>
    public Tensor Temperature { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        long batch = input.Size(0), tokens = input.Size(1), channels = input.Size(2);
        // [B, N, 3C] -> [3, B, heads, d, N]: each head's channels as rows, positions as columns
        Tensor qkv = _qkv.Forward(input).Reshape(batch, tokens, 3, Heads, channels / Heads).Permute(2, 0, 3, 4, 1);
        Tensor q = Functional.Normalize(qkv.Select(0, 0), dim: -1);
        Tensor k = Functional.Normalize(qkv.Select(0, 1), dim: -1);
        Tensor attention = Functional.Softmax(q.MatMul(k.Transpose(-2, -1)) * Temperature, -1);
        Tensor mixed = attention.MatMul(qkv.Select(0, 2)).Permute(0, 3, 1, 2).Reshape(batch, tokens, channels);
        // Observed here for the cost of the two products; qkv and proj report themselves.
        return LayerObserver.Notify(this, input, _proj.Forward(mixed)).MoveToOuterScope();
    }

    /// <summary>Multiply-adds of the two attention products for one image of <paramref name="tokens"/> positions: 2·C·d·N.</summary>
    public long ProductMacs(long channels, long tokens) => 2 * channels * (channels / Heads) * tokens;
}
