using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.EdgeFace;

/// <summary>The pointwise feed-forward of both encoders on channels-last tokens: fc1 (C → 4C), GELU, fc2 (4C → C).</summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _fc1, _fc2;
    private readonly GELU _act;

    public Mlp(long channels, long hidden, double? rankRatio)
    {
        _fc1 = RegisterModule("fc1", LowRankLinear.Create(channels, hidden, rankRatio));
        _act = RegisterModule("act", new GELU());
        _fc2 = RegisterModule("fc2", LowRankLinear.Create(hidden, channels, rankRatio));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _fc2.Forward(_act.Forward(_fc1.Forward(input))).MoveToOuterScope();
    }
}
