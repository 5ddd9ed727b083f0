using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018) as the official SEBlock wires it: global average pool, 1x1 conv with bias
/// to channels / reduction, the unit's activation, 1x1 conv with bias back, sigmoid, and the input scaled by the
/// result per channel. Keys: conv1, activ (a PReLU over the reduced channels), conv2.
/// </summary>
public sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly AdaptiveAvgPool2d _pool;
    private readonly Conv2d _conv1, _conv2;
    private readonly Module<Tensor, Tensor> _activation;
    private readonly Sigmoid _sigmoid;

    public SqueezeExcitation(long channels, int reduction, MixActivation activation)
    {
        long reduced = channels / reduction;
        if (reduced < 1) throw new ArgumentException($"squeeze-excitation of {channels} channels by {reduction} leaves none");
        _pool = RegisterModule("pool", new AdaptiveAvgPool2d());
        _conv1 = RegisterModule("conv1", new Conv2d(channels, reduced, 1, bias: true));
        _activation = RegisterModule("activ", MixActivations.Create(activation, reduced));
        _conv2 = RegisterModule("conv2", new Conv2d(reduced, channels, 1, bias: true));
        _sigmoid = RegisterModule("sigmoid", new Sigmoid());
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor weights = _sigmoid.Forward(_conv2.Forward(_activation.Forward(_conv1.Forward(_pool.Forward(input)))));
        return (input * weights).MoveToOuterScope();
    }
}
