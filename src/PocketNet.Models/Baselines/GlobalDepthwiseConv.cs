using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.Baselines;

/// <summary>
/// MobileFaceNet's <c>gdconv</c>: a depthwise conv as large as the feature map (7x7, no padding), so each
/// channel is pooled to one value by learned weights, then BN. Keys: depthwise, bn.
/// </summary>
public sealed class GlobalDepthwiseConv : Module<Tensor, Tensor>
{
    private readonly Conv2d _depthwise;
    private readonly BatchNorm2d _bn;

    public GlobalDepthwiseConv(long channels, int kernelSize = 7)
    {
        _depthwise = RegisterModule("depthwise", new Conv2d(channels, channels, kernelSize, groups: channels, bias: false));
        _bn = RegisterModule("bn", new BatchNorm2d(channels));
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return _bn.Forward(_depthwise.Forward(input)).MoveToOuterScope();
    }
}
