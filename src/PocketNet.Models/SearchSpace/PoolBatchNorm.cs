using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.SearchSpace;

/// <summary>3x3 max or average pooling (padding 1; the average ignores padded pixels) followed by BatchNorm.</summary>
public sealed class PoolBatchNorm : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _pool;
    private readonly BatchNorm2d _bn;

    public PoolBatchNorm(bool max, long channels, int stride, bool affine = true)
    {
        _pool = RegisterModule("pool", max
            ? (Module<Tensor, Tensor>)new MaxPool2d(3, stride, 1)
            : new AvgPool2d(3, stride, 1, countIncludePad: false));
        _bn = RegisterModule("bn", new BatchNorm2d(channels, affine: affine));
    }

    public override Tensor Forward(Tensor input)
    {
        using Tensor pooled = _pool.Forward(input);
        return _bn.Forward(pooled);
    }
}
