using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>
/// The split depth-wise transpose attention encoder (timm's SplitTransposeBlock), the last block of stages 1-3:
/// <list type="number">
/// <item>the channels are cut into s groups; group 1 goes through a 3×3 depthwise convolution, each later group but
/// the last is added to the previous output first (a Res2Net-style cascade); the last group passes unchanged;</item>
/// <item>as tokens, optionally plus the positional encoding, a LayerNorm'd cross-covariance attention is added with
/// its own layer scale (gamma_xca);</item>
/// <item>LayerNorm and the MLP with layer scale (gamma), added to the block's input.</item>
/// </list>
/// </summary>
public sealed class SdtaEncoder : Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> _convs;
    private readonly FourierPositionalEncoding? _positions;
    private readonly LayerNorm _normXca, _norm;
    private readonly CrossCovarianceAttention _xca;
    private readonly Mlp _mlp;

    public SdtaEncoder(long channels, int splits, int heads, bool positionalEncoding, double? rankRatio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(splits, 1);
        GroupWidth = (channels + splits - 1) / splits;
        _convs = RegisterModule("convs", new ModuleList<Conv2d>(Enumerable.Range(0, Math.Max(1, splits - 1))
            .Select(_ => new Conv2d(GroupWidth, GroupWidth, 3, padding: 1, groups: GroupWidth))));
        if (positionalEncoding) _positions = RegisterModule("pos_embd", new FourierPositionalEncoding(channels));
        _normXca = RegisterModule("norm_xca", new LayerNorm(channels, EdgeNeXt.NormEps));
        GammaXca = RegisterParameter("gamma_xca", Tensors.Full([channels], 1e-6));
        _xca = RegisterModule("xca", new CrossCovarianceAttention(channels, heads, rankRatio));
        _norm = RegisterModule("norm", new LayerNorm(channels, EdgeNeXt.NormEps));
        _mlp = RegisterModule("mlp", new Mlp(channels, 4 * channels, rankRatio));
        Gamma = RegisterParameter("gamma", Tensors.Full([channels], 1e-6));
    }

    /// <summary>Channels of each group (torch.chunk's ⌈C/s⌉; the last group may be narrower).</summary>
    public long GroupWidth { get; }

    public Tensor GammaXca { get; }
    public Tensor Gamma { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        long batch = input.Size(0), channels = input.Size(1);
        int height = (int)input.Size(2), width = (int)input.Size(3);

        Tensor mixed = SplitConvolutions(input);
        Tensor tokens = mixed.Reshape(batch, channels, height * width).Permute(0, 2, 1);
        if (_positions is not null)
            tokens += _positions.Forward(batch, height, width).Reshape(batch, channels, height * width).Permute(0, 2, 1);
        tokens += _xca.Forward(_normXca.Forward(tokens)) * GammaXca;

        Tensor update = _mlp.Forward(_norm.Forward(tokens.Reshape(batch, height, width, channels))) * Gamma;
        return (input + update.Permute(0, 3, 1, 2)).MoveToOuterScope();
    }

    private Tensor SplitConvolutions(Tensor input)
    {
        long channels = input.Size(1);
        var groups = new List<Tensor>();
        for (long start = 0; start < channels; start += GroupWidth)
            groups.Add(input.Narrow(1, start, Math.Min(GroupWidth, channels - start)));
        if (groups.Count != _convs.Count + 1)
            throw new ArgumentException($"{channels} channels make {groups.Count} groups of {GroupWidth}, not the {_convs.Count + 1} this block splits into");

        var outputs = new List<Tensor>();
        Tensor? previous = null;
        for (int i = 0; i < _convs.Count; i++)
        {
            previous = _convs[i].Forward(previous is null ? groups[i] : previous + groups[i]);
            outputs.Add(previous);
        }
        outputs.Add(groups[^1]);
        return Tensors.Cat(outputs, 1);
    }
}
